/**
 * Encryption keys of the local store. Configured as `keyId:<base64 of 32 bytes>` entries separated by
 * commas, the first one current (used for writing), all of them accepted for reading, so keys can rotate:
 * `PROVISIONER_SECRET_KEYS="k2:<new>,k1:<old>"`. Without configuration, a development key file in the same
 * format is created once (0600) and reused.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';

export const SECRET_KEYS_VARIABLE = 'PROVISIONER_SECRET_KEYS';
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe alphabet, padding optional: exactly 32 bytes. */
const KEY_BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

export interface SecretKeyring {
  /** Encrypts every new value. */
  current: { id: string; key: Buffer };
  /** Every configured key by id, the current one included: any of them decrypts. */
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * Parses the key configuration. Errors are one line naming `source` and the entry's position, never
 * echoing what was given (it may be key material).
 */
export function parseSecretKeys(text: string, source: string = SECRET_KEYS_VARIABLE): SecretKeyring {
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
  const [first] = keys;
  // Not reachable: `entries` has at least one non-empty entry and every entry was either added or failed.
  if (first === undefined) return fail('has no key');
  return { current: { id: first[0], key: first[1] }, keys };
}

/**
 * Reads the key file, creating it with one fresh key when absent. Creation is atomic (the file appears
 * complete or not at all), so a worker and a CLI starting together end up with the same key.
 */
export async function loadOrCreateKeyFile(path: string): Promise<SecretKeyring> {
  const source = `secret key file ${path}`;
  const text = (await readKeyFile(path)) ?? (await createKeyFile(path));
  return parseSecretKeys(text.trim(), source);
}

async function readKeyFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new ConfigError(
        `Invalid configuration: secret key file ${path} is accessible to other users; run chmod 600 ${path}`,
      );
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function createKeyFile(path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const text = `k1:${randomBytes(KEY_BYTES).toString('base64')}\n`;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path); // fails if another process created the file first: then use theirs
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = await readKeyFile(path);
    if (existing === undefined) throw err;
    return existing;
  } finally {
    await unlink(temp);
  }
}
