/**
 * A third process, as a bank's service host would be: `read-credentials.ts <bankGuid>...` opens the secret
 * store the environment configures, reads each bank's credential document and mints a token with it at the
 * token URL the document names. Prints `{ "<bankGuid>": { clientId, minted } }`.
 */
import { readCredential } from '../../src/activities/credential-documents.js';
import { parseEnv, StateEnv } from '../../src/config.js';
import { openSecretStore } from '../../src/dependencies.js';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { requestTokenAsService } from './consumer.js';

const secrets = await openSecretStore(parseEnv(StateEnv));
const results: Record<string, { clientId: string; minted: boolean }> = {};
for (const bankGuid of process.argv.slice(2)) {
  const credential = await readCredential(secrets, bankCredentialSecretName(bankGuid));
  const response = await requestTokenAsService(credential);
  results[bankGuid] = { clientId: credential.clientId, minted: response.status === 200 };
}
await secrets.close();
process.stdout.write(JSON.stringify(results));
