/** The secret store's public API. */
export type {
  PutSecretOptions,
  SecretName,
  SecretRef,
  SecretStage,
  SecretStore,
  SecretValue,
  SecretVersionId,
  SecretVersionInfo,
} from './store.js';
export {
  SecretConflict,
  SecretNotFound,
  SecretRevoked,
  SecretStoreCorrupt,
  SecretStoreError,
} from './errors.js';
export { assertSecretName, formatSecretRef, isSecretName, parseSecretRef } from './ref.js';

export { LOCAL_SECRET_SCHEME, openLocalSecretStore, type LocalSecretStoreOptions } from './local.js';
export { AWS_SECRET_SCHEME, openAwsSecretStore, type AwsSecretStoreOptions } from './aws.js';
