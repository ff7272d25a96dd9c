/**
 * The secret store: a claim check for secrets. The activity that receives a secret writes it here and passes
 * on only a reference, which is safe to log and to keep in workflow history.
 *
 * Every backend gives the same guarantees (docs/operations.md, "Adding a secret store"), proven by one shared test suite:
 * - A write is atomic and creates one new version; a retry with the same idempotency key creates none.
 * - Stages are exclusive, as Secrets Manager's staging labels are: at most one version is pending, one
 *   current, one previous. Making a version current turns the old current into previous and the old previous
 *   into superseded; a new pending version supersedes the old pending one. The first version written under
 *   a name is current whatever stage was asked for (Secrets Manager attaches AWSCURRENT to it).
 * - A revoked version can no longer be read, promoted or un-revoked through the store.
 */
/** `segment(/segment)*`; segments of letters, digits, `.`, `_`, `-`, not starting with `.`, `_` or `-` (ref.ts checks it). */
export type SecretName = string;
/** `<scheme>:<name>`, opaque to callers. */
export type SecretRef = string;

/**
 * pending: written, not yet in use (e.g. a rotated credential before verification).
 * current: the one in use.
 * previous: was current until the current one replaced it; still readable.
 * superseded: lost its stage to a newer version; still readable by its id.
 * revoked: no longer valid; cannot be read.
 */
export type SecretStage = 'pending' | 'current' | 'previous' | 'superseded' | 'revoked';

/** Opaque, store-specific (a counter in the local store, the VersionId in Secrets Manager). */
export type SecretVersionId = string;

export interface SecretVersionInfo {
  version: SecretVersionId;
  stage: SecretStage;
  /** ISO 8601. */
  createdAt: string;
}

export interface SecretValue extends SecretVersionInfo {
  value: string;
}

export interface PutSecretOptions {
  /** Default `current`. */
  stage?: 'pending' | 'current';
  /** A retry with the same key returns the version the first call wrote instead of adding one. */
  idempotencyKey?: string;
}

/**
 * Every method taking a `SecretRef` also accepts the bare name (`banks/<guid>/credential`), so callers and
 * operators can use either; a reference of another store is refused naming the variable that selects it.
 */
export interface SecretStore {
  /** The scheme of this store's references (`local`, `aws-sm`). */
  readonly scheme: string;
  /** The reference of a name in this store, whether or not anything is stored under it yet. */
  ref(name: SecretName): SecretRef;
  /** Writes a new version under `name`. SecretConflict when the idempotency key was used for another value. */
  put(
    name: SecretName,
    value: string,
    options?: PutSecretOptions,
  ): Promise<{ ref: SecretRef; version: SecretVersionId }>;
  /** The current version, or the given one. Throws SecretNotFound, SecretRevoked or SecretStoreCorrupt. */
  get(ref: SecretRef, options?: { version?: SecretVersionId }): Promise<SecretValue>;
  /** Every version, oldest first (revoked ones included); empty when nothing is stored under the name. */
  versions(ref: SecretRef): Promise<SecretVersionInfo[]>;
  /** Makes `version` current (no-op when it already is). SecretRevoked for a revoked version. */
  promote(ref: SecretRef, version: SecretVersionId): Promise<void>;
  /** Revokes one version (idempotent); its value can no longer be read through the store. */
  revoke(ref: SecretRef, version: SecretVersionId): Promise<void>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}
