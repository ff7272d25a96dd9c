/**
 * Keys of the payload codec. Configured as `PROVISIONER_CODEC_KEYS="k2:<base64 of 32 bytes>,k1:<...>"`: the
 * first key is current (encrypts), every key decrypts, so keys rotate without downtime (put the new key
 * first, keep the old one until no history needs it). In development a key file in the same format is
 * created once (0600) and reused.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';

export const CODEC_KEYS_VARIABLE = 'PROVISIONER_CODEC_KEYS';
const KEY_BYTES = 32; // AES-256
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe alphabet, padding optional. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface CodecKeyring {
  /** Encrypts new payloads. */
  currentKeyId: string;
  /** Every key that decrypts, by id. */
  keys: ReadonlyMap<string, Buffer>;
}

/** A new random key, base64, for `PROVISIONER_CODEC_KEYS`. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Parses `id1:<base64>,id2:<base64>`. A bad value is a one-line ConfigError naming `source` and the entry's
 * position, never echoing what was given: it may be key material.
 */
export function parseCodecKeys(text: string, source: string = CODEC_KEYS_VARIABLE): CodecKeyring {
  const fail = (problem: string): never => {
    throw new ConfigError(`Invalid configuration: ${source} ${problem}`);
  };
  const keys = new Map<string, Buffer>();
  text.split(',').forEach((rawEntry, index) => {
    const entry = rawEntry.trim();
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    const key = colon > 0 && BASE64.test(material) ? Buffer.from(material, 'base64') : undefined;
    if (!KEY_ID.test(id) || key?.length !== KEY_BYTES) {
      fail(
        `entry ${index + 1} must be "<keyId>:<base64 of ${KEY_BYTES} bytes>" (key id: letters, digits, ".", "_", "-")`,
      );
    }
    if (keys.has(id)) fail(`entry ${index + 1} repeats key id "${id}"`);
    keys.set(id, key as Buffer);
  });
  const [currentKeyId] = keys.keys();
  // Not reachable: split() yields at least one entry, and each one was either added or failed.
  if (currentKeyId === undefined) return fail('has no key');
  return { currentKeyId, keys };
}

/**
 * Development keys: reads `file`, creating it with one fresh key (0600) when absent. Creation is atomic, so
 * a worker and a CLI starting together end up with the same key. A file readable by others is refused.
 */
export async function loadOrCreateDevKeys(file: string): Promise<CodecKeyring> {
  const text = (await readKeyFile(file)) ?? (await createKeyFile(file));
  return parseCodecKeys(text.trim(), `codec key file ${file}`);
}

async function readKeyFile(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new ConfigError(
        `Invalid configuration: codec key file ${file} is readable by others; run chmod 600 ${file}`,
      );
    }
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function createKeyFile(file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const text = `k1:${generateKey()}\n`;
  // Written completely under a unique name, then linked into place: readers never see a partial file.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.chmod(0o600); // the umask only removes bits, but be explicit
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file); // fails when another process created the file first: use theirs
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = await readKeyFile(file);
    if (existing === undefined) throw err;
    return existing;
  } finally {
    await unlink(temp);
  }
}
