/**
 * Reading bank credential documents from the secret store. Which application a version belongs to is in
 * its document (stores keep no per-version metadata), so these helpers read the readable versions; the
 * values never leave the activity.
 */
import { BankCredentialDocument } from '../model/bank-credential.js';
import {
  SecretRevoked,
  SecretStoreCorrupt,
  type SecretName,
  type SecretStore,
  type SecretVersionId,
} from '../secrets/index.js';
import type { StoredCredential } from './application-settlement.js';

/** The document of one version; SecretStoreCorrupt when the value is not one. */
export async function readCredential(
  secrets: SecretStore,
  name: SecretName,
  version?: SecretVersionId,
): Promise<BankCredentialDocument & { version: SecretVersionId }> {
  const secret = await secrets.get(name, version === undefined ? {} : { version });
  let parsed;
  try {
    parsed = BankCredentialDocument.safeParse(JSON.parse(secret.value));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    // Never the value in the message: it is a secret.
    throw new SecretStoreCorrupt(
      secrets.ref(name),
      `version ${secret.version} is not a bank credential document`,
    );
  }
  return { ...parsed.data, version: secret.version };
}

/** A readable stored version: the application it belongs to, as its document says (never its secret). */
export interface StoredCredentialDetails extends StoredCredential {
  applicationName: string;
  createdAt: string;
  expiresAt?: string;
}

/** Every readable version of the bank's credential with the application it belongs to, oldest first. */
export async function storedCredentials(
  secrets: SecretStore,
  name: SecretName,
): Promise<StoredCredentialDetails[]> {
  const found: StoredCredentialDetails[] = [];
  for (const { version, stage } of await secrets.versions(name)) {
    if (stage === 'revoked') continue;
    try {
      const { clientId, applicationName, createdAt, expiresAt } = await readCredential(
        secrets,
        name,
        version,
      );
      found.push({
        version,
        stage,
        clientId,
        applicationName,
        createdAt,
        ...(expiresAt ? { expiresAt } : {}),
      });
    } catch (err) {
      if (!(err instanceof SecretRevoked)) throw err; // revoked since the listing: no longer usable
    }
  }
  return found;
}
