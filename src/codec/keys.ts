/**
 * Keys of the payload codec: `PROVISIONER_CODEC_KEYS="k2:<base64 of 32 bytes>,k1:<...>"`, the first one
 * current; in development a key file created once (0600). The keyring rules live in src/keyring.ts.
 */
import { loadOrCreateKeyFile, parseKeyring, type Keyring } from '../keyring.js';

export { generateKey } from '../keyring.js';

export const CODEC_KEYS_VARIABLE = 'PROVISIONER_CODEC_KEYS';

export type CodecKeyring = Keyring;

export const parseCodecKeys = (text: string, source: string = CODEC_KEYS_VARIABLE): CodecKeyring =>
  parseKeyring(text, source);

/** Development keys: reads `file`, creating it with one fresh key (0600) when absent. */
export const loadOrCreateDevKeys = (file: string): Promise<CodecKeyring> =>
  loadOrCreateKeyFile(file, 'codec key file');
