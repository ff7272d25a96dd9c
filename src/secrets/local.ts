/**
 * The default secret store: files in a local directory (`.provisioner/secrets` by default, git-ignored),
 * shared by a worker and a CLI started side by side. Values are encrypted with AES-256-GCM; the directory
 * is 0700 and every file 0600; writes are atomic and serialized per name by a lock file, so concurrent
 * writers in several processes lose nothing, and what a killed writer leaves behind is cleaned up when the
 * store opens (recovery.ts).
 *
 * Revoking deletes the value (the version's stage, dates and metadata stay, for the record): a revoked
 * credential has no legitimate reader, so it is not kept around to leak.
 */
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { seal, unseal } from './crypto.js';
import { SecretConflict, SecretNotFound, SecretRevoked } from './errors.js';
import { loadOrCreateKeyFile, parseKeyring, type Keyring } from '../keyring.js';
import {
  readStoredSecret,
  secretFileName,
  secretNameOfFile,
  writeStoredSecret,
  type StoredSecret,
  type StoredVersion,
} from './local-file.js';
import { withFileLock, type FileLockOptions } from './lock.js';
import { recoverAfterCrash } from './recovery.js';
import { formatSecretRef, secretNameOf, type SecretName, type SecretRef } from './ref.js';
import type {
  PutSecretOptions,
  SecretMetadata,
  SecretStore,
  SecretValue,
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
  ): Promise<{ ref: SecretRef; version: number }> {
    const ref = this.ref(name);
    return this.update(name, (secret) => {
      const { idempotencyKey } = options;
      const earlier =
        idempotencyKey === undefined
          ? undefined
          : secret.versions.find((v) => v.idempotencyKey === idempotencyKey);
      if (earlier) {
        if (earlier.stage !== 'revoked' && this.decrypt(name, earlier) !== value) {
          throw new SecretConflict(ref, earlier.version);
        }
        return { ref, version: earlier.version };
      }
      const version = Math.max(0, ...secret.versions.map((v) => v.version)) + 1;
      const stage = options.stage ?? 'current';
      const metadata = { ...options.metadata };
      if (stage === 'current') demoteCurrent(secret);
      secret.versions.push({
        version,
        stage,
        createdAt: new Date().toISOString(),
        metadata,
        idempotencyKey,
        sealed: seal(this.keyring, value, associatedData(name, version, metadata)),
      });
      return { ref, version };
    });
  }

  async get(ref: SecretRef, options: { version?: number } = {}): Promise<SecretValue> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    const versions = (await this.read(name))?.versions ?? [];
    const entry =
      options.version === undefined
        ? this.currentOf(name, versions)
        : versions.find((v) => v.version === options.version);
    if (!entry) throw new SecretNotFound(this.ref(name), `has no version ${options.version}`);
    return { ...versionInfo(entry), value: this.decrypt(name, entry) };
  }

  async has(ref: SecretRef): Promise<boolean> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    return ((await this.read(name))?.versions ?? []).some((v) => v.stage === 'current');
  }

  async promote(ref: SecretRef, version: number): Promise<void> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    await this.update(name, (secret) => {
      const entry = this.versionOf(name, secret, version);
      if (entry.stage === 'current') return;
      if (entry.stage === 'revoked') throw new SecretRevoked(this.ref(name), version);
      demoteCurrent(secret);
      entry.stage = 'current';
    });
  }

  async revoke(ref: SecretRef, version?: number): Promise<void> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    await this.update(name, (secret) => {
      if (secret.versions.length === 0) throw new SecretNotFound(this.ref(name));
      const targets = version === undefined ? secret.versions : [this.versionOf(name, secret, version)];
      for (const entry of targets) {
        entry.stage = 'revoked';
        delete entry.sealed;
      }
    });
  }

  async versions(ref: SecretRef): Promise<SecretVersionInfo[]> {
    const name = secretNameOf(ref, LOCAL_SECRET_SCHEME);
    return ((await this.read(name))?.versions ?? []).map(versionInfo);
  }

  async list(prefix = ''): Promise<SecretRef[]> {
    const names = (await readdir(this.directory))
      .map(secretNameOfFile)
      .filter((name): name is SecretName => name !== undefined && name.startsWith(prefix));
    return names.sort().map((name) => this.ref(name));
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
      const secret = (await this.read(name)) ?? { format: 1 as const, name, versions: [] };
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

  private versionOf(name: SecretName, secret: StoredSecret, version: number): StoredVersion {
    const entry = secret.versions.find((v) => v.version === version);
    if (!entry) throw new SecretNotFound(this.ref(name), `has no version ${version}`);
    return entry;
  }

  /** The value of `entry`; SecretRevoked when it has none. */
  private decrypt(name: SecretName, entry: StoredVersion): string {
    if (!entry.sealed) throw new SecretRevoked(this.ref(name), entry.version);
    return unseal(
      this.keyring,
      entry.sealed,
      associatedData(name, entry.version, entry.metadata),
      this.ref(name),
    );
  }
}

function demoteCurrent(secret: StoredSecret): void {
  for (const entry of secret.versions) if (entry.stage === 'current') entry.stage = 'previous';
}

function versionInfo(entry: StoredVersion): SecretVersionInfo {
  return {
    version: entry.version,
    stage: entry.stage,
    createdAt: entry.createdAt,
    metadata: { ...entry.metadata },
  };
}

/** Binds a ciphertext to its name, version and metadata: moving it elsewhere or editing them fails decryption. */
function associatedData(name: SecretName, version: number, metadata: SecretMetadata): Buffer {
  const labels = Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(['cybrid-provisioner/secret/v1', name, version, labels]), 'utf8');
}
