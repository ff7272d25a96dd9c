/**
 * AES-256-GCM for values at rest: a random 12-byte IV per write, the auth tag, and the id of the key used,
 * so any configured key can read what it wrote. Associated data binds a ciphertext to where it belongs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretStoreCorrupt } from './errors.js';
import { currentKey } from '../keyring.js';
import type { Keyring } from '../keyring.js';
import type { SecretRef } from './ref.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Binary fields in base64. */
export interface SealedValue {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

export function seal(keyring: Keyring, plaintext: string, associatedData: Buffer): SealedValue {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, currentKey(keyring), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    keyId: keyring.currentKeyId,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** Decrypts `sealed`; an unknown key id or a failed authentication is SecretStoreCorrupt naming `ref`. */
export function unseal(
  keyring: Keyring,
  sealed: SealedValue,
  associatedData: Buffer,
  ref: SecretRef,
): string {
  const key = keyring.keys.get(sealed.keyId);
  if (!key) {
    throw new SecretStoreCorrupt(ref, `is encrypted with key "${sealed.keyId}", which is not configured`);
  }
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretStoreCorrupt(ref, 'has a malformed IV or auth tag');
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return plaintext.toString('utf8');
  } catch {
    // The cause says only "unable to authenticate data"; not attached, to keep errors free of internals.
    throw new SecretStoreCorrupt(
      ref,
      `failed authentication with key "${sealed.keyId}": the key differs from the one that wrote it, or the file was altered`,
    );
  }
}
