/** The secret store's public API. */
export type {
  PutSecretOptions,
  SecretMetadata,
  SecretName,
  SecretRef,
  SecretStage,
  SecretStore,
  SecretValue,
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
