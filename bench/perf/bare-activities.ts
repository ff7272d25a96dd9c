/**
 * The bare workflow's activities, in two kinds:
 * - no-ops (the ceiling): the bare worker measures Temporal alone;
 * - `keptActivities`: the least an onboarding must do outside the workflow, with the project's own IdP client and
 *   secret store: create the application and keep its secret, check it with a token, create the user and keep
 *   its invite. No listing for lost responses, no ledger, no codec, no status. The gap between this worker
 *   and the project's is what the project adds around the required work.
 */
import type { IdpClient } from '../../src/idp/client.js';
import { BANK_CREDENTIAL_SCOPES } from '../../src/model/bank-credential.js';
import { bankCredentialSecretName, inviteUrlSecretName } from '../../src/model/secret-names.js';
import type { SecretStore } from '../../src/secrets/store.js';

export const bareActivities = {
  ensureApplication: (bankGuid: string) => Promise.resolve(`app-${bankGuid}`),
  verifyCredential: (_application: string) => Promise.resolve(),
  ensureUsers: (_bankGuid: string, _users: { email: string }[]) => Promise.resolve(),
};

export function keptActivities(idp: IdpClient, store: SecretStore): typeof bareActivities {
  return {
    async ensureApplication(bankGuid) {
      const created = await idp.createBankApplication({ name: `bank-${bankGuid}`, bank_guid: bankGuid });
      const { ref } = await store.put(
        bankCredentialSecretName(bankGuid),
        JSON.stringify({ clientId: created.client_id, clientSecret: created.secret }),
      );
      return ref; // the workflow carries the reference, never the secret
    },
    async verifyCredential(ref) {
      const { clientId, clientSecret } = JSON.parse((await store.get(ref)).value) as Record<string, string>;
      await idp.exchangeClientCredentials({
        clientId: clientId!,
        clientSecret: clientSecret!,
        scopes: [...BANK_CREDENTIAL_SCOPES],
      });
    },
    async ensureUsers(_bankGuid, users) {
      for (const { email } of users) {
        const user = await idp.createUser({ email });
        if (user.invite_url) await store.put(inviteUrlSecretName(user.guid), user.invite_url);
      }
    },
  };
}
