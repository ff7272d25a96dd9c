/**
 * Secret store errors. Messages name the reference and never contain a secret value or key material:
 * they may reach logs and, through activity failures, workflow history.
 */
import type { SecretRef, SecretVersionId } from './store.js';

export class SecretStoreError extends Error {
  override name = 'SecretStoreError';
}

export class SecretNotFound extends SecretStoreError {
  override name = 'SecretNotFound';
  constructor(
    readonly ref: SecretRef,
    detail = 'is not stored',
  ) {
    super(`Secret ${ref} ${detail}`);
  }
}

export class SecretRevoked extends SecretStoreError {
  override name = 'SecretRevoked';
  constructor(
    readonly ref: SecretRef,
    readonly version?: SecretVersionId,
  ) {
    super(version === undefined ? `Secret ${ref} is revoked` : `Secret ${ref} version ${version} is revoked`);
  }
}

/** The stored data cannot be trusted: unknown key id, failed authentication, a malformed file or value. */
export class SecretStoreCorrupt extends SecretStoreError {
  override name = 'SecretStoreCorrupt';
  constructor(
    readonly ref: SecretRef,
    detail: string,
  ) {
    super(`Secret ${ref} ${detail}`);
  }
}

/** The same idempotency key was used for a different value: a caller bug, never retried into a new version. */
export class SecretConflict extends SecretStoreError {
  override name = 'SecretConflict';
  constructor(
    readonly ref: SecretRef,
    readonly version: SecretVersionId,
  ) {
    super(`Secret ${ref} version ${version} was written with the same idempotency key and a different value`);
  }
}
