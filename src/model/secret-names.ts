/**
 * Where secrets live in the secret store. One name per bank credential: its versions are the successive
 * applications' client secrets (pending → current → previous → revoked), each tagged with its clientId.
 */
export const bankCredentialSecretName = (bankGuid: string) => `banks/${bankGuid}/client-secret`;
export const inviteUrlSecretName = (userGuid: string) => `users/${userGuid}/invite-url`;
