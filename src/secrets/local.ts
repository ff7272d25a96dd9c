/**
 * The default secret store: files in a local directory (`.provisioner/secrets` by default, git-ignored),
 * shared by a worker and a CLI started side by side. Values are encrypted with AES-256-GCM; the directory
 * is 0700 and every file 0600; writes are atomic and serialized per name by a lock file, so concurrent
 * writers in several processes lose nothing, and what a killed writer leaves behind is cleaned up when the
 * store opens (recovery.ts).
 *
 * Revoking deletes the value (the version's stage and date stay, for the record): a revoked
 * credential has no legitimate reader, so it is not kept around to leak.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { seal, unseal } from './crypto.js';
import { SecretConflict, SecretNotFound, SecretRevoked } from './errors.js';
import { loadOrCreateKeyFile, parseKeyring, type Keyring } from '../keyring.js';
import {
  createStoredSecret,
  readStoredSecret,
  secretFileName,
  writeStoredSecret,
  type StoredSecret,
  type StoredVersion,
} from './local-file.js';
import { withFileLock, type FileLockOptions } from './lock.js';
import { recoverAfterCrash } from './recovery.js';
import { formatSecretRef, secretNameOf, type SecretName, type SecretRef } from './ref.js';
import type {
  PutSecretOptions,
  SecretStage,
  SecretStore,
  SecretValue,
  SecretVersionId,
  SecretVersionInfo,
} from './store.js';

export const LOCAL_SECRET_SCHEME = 'local';

export interface LocalSecretStoreOptions {
  directory: string;
  /** Keys in the `PROVISIONER_SECRET_KEYS` format; when undefined, the key file is used. */
  keys?: string;
  /** Created with one fresh key when absent. Default: `secret-store.key` beside `directory`. */
  keyFile?: string;
  /** How long a write waits for another writer of the same name. Default 10 s. */
  lockTimeoutMs?: number;
}

export async function openLocalSecretStore(options: LocalSecretStoreOptions): Promise<SecretStore> {
  const keyring =
    options.keys !== undefined
      ? parseKeyring(options.keys, 'PROVISIONER_SECRET_KEYS')
      : await loadOrCreateKeyFile(
          options.keyFile ?? join(dirname(options.directory), 'secret-store.key'),
          'secret key file',
        );
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  await chmod(options.directory, 0o700); // also when it existed with looser permissions
  const lock = { timeoutMs: options.lockTimeoutMs ?? 10_000, staleMs: 30_000 };
  await recoverAfterCrash(options.directory, lock.staleMs);
  return new LocalSecretStore(options.directory, keyring, lock);
}

class LocalSecretStore implements SecretStore {
  readonly scheme = LOCAL_SECRET_SCHEME;

  constructor(
    private readonly directory: string,
    private readonly keyring: Keyring,
    private readonly lock: FileLockOptions,
  ) {}

  ref(name: SecretName): SecretRef {
    return formatSecretRef(LOCAL_SECRET_SCHEME, name);
  }

  async put(
    name: SecretName,
    value: string,
    options: PutSecretOptions = {},
  ): Promise<{ ref: SecretRef; version: SecretVersionId }> {
    const ref = this.ref(name);
    const { idempotencyKey } = options;
    // Most names are written once (every invite, a new bank's credential): their first version is created
    // without taking the lock. When the name has a file already, the locked path below decides.
    const first = this.firstVersion(name, value, idempotencyKey);
    if (await createStoredSecret(this.path(name), { format: 2, name, versions: [first] })) {
      return { ref, version: String(first.version) };
    }
    return this.update(name, (secret) => {
      const earlier =
        idempotencyKey === undefined
          ? undefined
          : secret.versions.find((v) => v.idempotencyKey === idempotencyKey);
      if (earlier) {
        if (earlier.stage !== 'revoked' && this.decrypt(name, earlier) !== value) {
          throw new SecretConflict(ref, String(earlier.version));
        }
        return { ref, version: String(earlier.version) };
      }
      if (secret.versions.length === 0) {
        // Only when the name's file was removed since the unlocked create found it (never in practice).
        secret.versions.push(this.firstVersion(name, value, idempotencyKey));
        return { ref, version: '1' };
      }
      const version = Math.max(0, ...secret.versions.map((v) => v.version)) + 1;
      const stage = options.stage ?? 'current';
      moveStage(secret, stage);
      secret.versions.push({
        version,
        stage,
        createdAt: new Date().toISOString(),
        idempotencyKey,
        sealed: seal(this.keyring, value, associatedData(name, version)),
      });
      return { ref, version: String(version) };
    });
  }

  /** The first version of a name: current whatever stage was asked for, as in Secrets Manager. */
  private firstVersion(name: SecretName, value: string, idempotencyKey: string | undefined): StoredVersion {
    return {
      version: 1,
      stage: 'current',
      createdAt: new Date().toISOString(),
      idempotencyKey,
      sealed: seal(this.keyring, value, associatedData(name, 1)),
    };
  }

  async get(ref: SecretRef, options: { version?: SecretVersionId } = {}): Promise<SecretValue> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    const versions = (await this.read(name))?.versions ?? [];
    const entry =
      options.version === undefined
        ? this.currentOf(name, versions)
        : this.versionOf(name, versions, options.version);
    return { ...versionInfo(entry), value: this.decrypt(name, entry) };
  }

  async promote(ref: SecretRef, version: SecretVersionId): Promise<void> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    await this.update(name, (secret) => {
      const entry = this.versionOf(name, secret.versions, version);
      if (entry.stage === 'current') return;
      if (entry.stage === 'revoked') throw new SecretRevoked(this.ref(name), version);
      moveStage(secret, 'current');
      entry.stage = 'current';
    });
  }

  async revoke(ref: SecretRef, version: SecretVersionId): Promise<void> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    await this.update(name, (secret) => {
      const entry = this.versionOf(name, secret.versions, version);
      entry.stage = 'revoked';
      delete entry.sealed;
    });
  }

  async versions(ref: SecretRef): Promise<SecretVersionInfo[]> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    return ((await this.read(name))?.versions ?? []).map(versionInfo);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private path(name: SecretName): string {
    return join(this.directory, secretFileName(name));
  }

  private read(name: SecretName): Promise<StoredSecret | undefined> {
    return readStoredSecret(this.path(name), name, this.ref(name));
  }

  /**
   * Runs `change` on the stored secret under the name's lock and writes the result if it changed anything.
   * A throw leaves the file untouched.
   */
  private async update<T>(name: SecretName, change: (secret: StoredSecret) => T): Promise<T> {
    const path = this.path(name);
    return withFileLock(`${path}.lock`, this.lock, async () => {
      const secret = (await this.read(name)) ?? { format: 2 as const, name, versions: [] };
      const before = JSON.stringify(secret);
      const result = change(secret);
      if (JSON.stringify(secret) !== before) await writeStoredSecret(path, secret);
      return result;
    });
  }

  private currentOf(name: SecretName, versions: StoredVersion[]): StoredVersion {
    const current = versions.find((v) => v.stage === 'current');
    if (current) return current;
    if (versions.length === 0) throw new SecretNotFound(this.ref(name));
    if (versions.every((v) => v.stage === 'revoked')) throw new SecretRevoked(this.ref(name));
    throw new SecretNotFound(this.ref(name), 'has no current version');
  }

  private versionOf(name: SecretName, versions: StoredVersion[], version: SecretVersionId): StoredVersion {
    const entry = versions.find((v) => String(v.version) === version);
    if (!entry) throw new SecretNotFound(this.ref(name), `has no version ${version}`);
    return entry;
  }

  /** The value of `entry`; SecretRevoked when it has none. */
  private decrypt(name: SecretName, entry: StoredVersion): string {
    if (!entry.sealed) throw new SecretRevoked(this.ref(name), String(entry.version));
    return unseal(this.keyring, entry.sealed, associatedData(name, entry.version), this.ref(name));
  }
}

/**
 * Frees `stage` for a new holder, the way Secrets Manager moves its labels: the current version becomes
 * previous (and the previous one superseded); a pending one becomes superseded.
 */
function moveStage(secret: StoredSecret, stage: 'pending' | 'current'): void {
  const demoted: Partial<Record<SecretStage, SecretStage>> =
    stage === 'current' ? { previous: 'superseded', current: 'previous' } : { pending: 'superseded' };
  for (const entry of secret.versions) entry.stage = demoted[entry.stage] ?? entry.stage;
}

function versionInfo(entry: StoredVersion): SecretVersionInfo {
  return { version: String(entry.version), stage: entry.stage, createdAt: entry.createdAt };
}

/** Binds a ciphertext to its name and version: moving it elsewhere fails decryption. */
function associatedData(name: SecretName, version: number): Buffer {
  return Buffer.from(JSON.stringify(['cybrid-provisioner/secret/v2', name, version]), 'utf8');
}
