/**
 * The secret store: a claim check for secrets, which never enter workflow history. The activity that receives a secret
 * writes it here and passes on only a reference, which is safe to log and to keep in workflow history.
 * The interface leaves room for Vault or a cloud secret manager beside the local default.
 */
import type { SecretName, SecretRef } from './ref.js';

export type { SecretName, SecretRef } from './ref.js';

/**
 * pending: written, not yet in use (e.g. a rotated credential before verification).
 * current: the one in use; at most one version per name.
 * previous: was current, replaced by a newer one, still readable.
 * revoked: no longer valid; its value is gone and cannot be read.
 */
export type SecretStage = 'pending' | 'current' | 'previous' | 'revoked';

/** Labels stored beside a version, e.g. the clientId a client secret belongs to. Never secret. */
export type SecretMetadata = Record<string, string>;

export interface SecretVersionInfo {
  version: number;
  stage: SecretStage;
  /** ISO 8601. */
  createdAt: string;
  metadata: SecretMetadata;
}

export interface SecretValue extends SecretVersionInfo {
  value: string;
}

export interface PutSecretOptions {
  /** Default `current`; the old current version then becomes `previous`. */
  stage?: 'pending' | 'current';
  /** A retry with the same key returns the version the first call wrote instead of adding one. */
  idempotencyKey?: string;
  metadata?: SecretMetadata;
}

/**
 * Every method taking a `SecretRef` also accepts the bare name (`banks/<guid>/client-secret`), so callers
 * and operators can use either.
 */
export interface SecretStore {
  /** The reference of a name in this store, whether or not anything is stored under it yet. */
  ref(name: SecretName): SecretRef;
  /** Writes a new version under `name`. */
  put(
    name: SecretName,
    value: string,
    options?: PutSecretOptions,
  ): Promise<{ ref: SecretRef; version: number }>;
  /** The current version, or the given one. Throws SecretNotFound, SecretRevoked or SecretStoreCorrupt. */
  get(ref: SecretRef, options?: { version?: number }): Promise<SecretValue>;
  /** Whether `get(ref)` finds a current version. */
  has(ref: SecretRef): Promise<boolean>;
  /** Makes `version` current (no-op when it already is); the old current becomes `previous`. */
  promote(ref: SecretRef, version: number): Promise<void>;
  /** Revokes one version, or every version when none is given, and deletes the values. Idempotent. */
  revoke(ref: SecretRef, version?: number): Promise<void>;
  /** Every version, oldest first; empty when nothing is stored under the name. */
  versions(ref: SecretRef): Promise<SecretVersionInfo[]>;
  /** References of the stored names starting with `prefix`, sorted. */
  list(prefix?: string): Promise<SecretRef[]>;
}
