/**
 * Where secrets live in the secret store. One name per bank credential: its versions are the successive
 * applications' credential documents (pending → current → previous → revoked).
 */
export const bankCredentialSecretName = (bankGuid: string) => `banks/${bankGuid}/credential`;
export const inviteUrlSecretName = (userGuid: string) => `users/${userGuid}/invite-url`;
export const webhookSigningSecretName = (subscriptionId: string) =>
  `webhooks/${subscriptionId}/signing-secret`;
/**
 * A bank API key a person hands over (`provisioner credential submit`), before the workflow has checked
 * it: `{clientId, clientSecret}`. Accepted, it is copied into the bank's credential; either way the
 * submitted version is then revoked.
 */
export const credentialSubmissionSecretName = (bankGuid: string) => `banks/${bankGuid}/credential-submission`;
