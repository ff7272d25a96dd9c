/**
 * AES-256 keyrings, shared by the payload codec and the secret store. Configured as
 * `keyId:<base64 of 32 bytes>` entries separated by commas: the first key is current (encrypts), every key
 * decrypts, so keys rotate without downtime (put the new key first, keep the old one while anything written
 * with it is still needed). In development a key file in the same format is created once (0600) and reused.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from './config.js';

const KEY_BYTES = 32; // AES-256
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe alphabet, padding optional: exactly 32 bytes. */
const KEY_BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

export interface Keyring {
  /** Encrypts everything new. */
  currentKeyId: string;
  /** Every key that decrypts, by id, the current one included. */
  keys: ReadonlyMap<string, Buffer>;
}

/** The current key's bytes. */
export const currentKey = (keyring: Keyring): Buffer => keyring.keys.get(keyring.currentKeyId)!;

/** A new random key, base64. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Parses `id1:<base64>,id2:<base64>`. A bad value is a one-line ConfigError naming `source` and the entry's
 * position, never echoing what was given: it may be key material.
 */
export function parseKeyring(text: string, source: string): Keyring {
  const fail = (problem: string): never => {
    throw new ConfigError(`Invalid configuration: ${source} ${problem}`);
  };
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) fail('is empty: expected "<keyId>:<base64 of 32 bytes>", ...');
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (colon === -1 || !KEY_ID.test(id) || !KEY_BASE64.test(material)) {
      fail(
        `entry ${index + 1} must be "<keyId>:<base64 of ${KEY_BYTES} bytes>" (key id: letters, digits, ".", "_", "-")`,
      );
    }
    if (keys.has(id)) fail(`entry ${index + 1} repeats key id "${id}"`);
    keys.set(id, Buffer.from(material, 'base64'));
  });
  const [currentKeyId] = keys.keys();
  // Not reachable: at least one entry is non-empty, and every entry was either added or failed.
  if (currentKeyId === undefined) return fail('has no key');
  return { currentKeyId, keys };
}

/**
 * Reads a key file, creating it with one fresh key (0600) when absent. Creation is atomic, so a worker and
 * a CLI starting together end up with the same key. A file readable by other users is refused.
 */
export async function loadOrCreateKeyFile(path: string, label: string): Promise<Keyring> {
  const source = `${label} ${path}`;
  const text = (await readKeyFile(path, source)) ?? (await createKeyFile(path, source));
  return parseKeyring(text.trim(), source);
}

async function readKeyFile(path: string, source: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new ConfigError(
        `Invalid configuration: ${source} is accessible to other users; run chmod 600 ${path}`,
      );
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function createKeyFile(path: string, source: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const text = `k1:${generateKey()}\n`;
  // Written completely under a unique name, then linked into place: readers never see a partial file.
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path); // fails when another process created the file first: then use theirs
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = await readKeyFile(path, source);
    if (existing === undefined) throw err;
    return existing;
  } finally {
    await unlink(temp);
  }
}
