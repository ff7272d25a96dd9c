/**
 * Where secrets live in the secret store. One name per bank credential: its versions are the successive
 * applications' credential documents (pending → current → previous → revoked).
 */
export const bankCredentialSecretName = (bankGuid: string) => `banks/${bankGuid}/credential`;
export const inviteUrlSecretName = (userGuid: string) => `users/${userGuid}/invite-url`;
export const webhookSigningSecretName = (subscriptionId: string) =>
  `webhooks/${subscriptionId}/signing-secret`;
