/**
 * Keys of the local secret store: `PROVISIONER_SECRET_KEYS="k2:<new>,k1:<old>"`, the first one current;
 * without configuration a key file created once (0600). The keyring rules live in src/keyring.ts.
 */
import { loadOrCreateKeyFile as loadKeyFile, parseKeyring, type Keyring } from '../keyring.js';

export const SECRET_KEYS_VARIABLE = 'PROVISIONER_SECRET_KEYS';

export type SecretKeyring = Keyring;

export const parseSecretKeys = (text: string, source: string = SECRET_KEYS_VARIABLE): SecretKeyring =>
  parseKeyring(text, source);

export const loadOrCreateKeyFile = (path: string): Promise<SecretKeyring> =>
  loadKeyFile(path, 'secret key file');
