/**
 * The payload codec: every payload leaving the worker, the client or the CLI is encrypted with AES-256-GCM
 * (random 12-byte IV, 16-byte auth tag) under the current key; the ciphertext is the protobuf encoding of the
 * original payload, so its metadata (encoding, message type) is hidden too. Decoding picks the key by the id
 * in the metadata and passes payloads that were never encrypted through unchanged.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
// Default import: the package is CommonJS and Node's ESM loader cannot see its named exports.
import proto from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../keyring.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ProtoPayload = proto.temporal.api.common.v1.Payload;
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted. The message names the key id, never the payload's content. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  // Promise.resolve().then: a throw while decrypting becomes a rejection, as callers of a codec expect.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.decrypt(payload)));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.key(keyId), iv);
    const plaintext = ProtoPayload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(keyId),
      },
      // iv ‖ ciphertext ‖ tag
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
    const rawKeyId = payload.metadata?.[KEY_ID_METADATA];
    if (!rawKeyId) throw new PayloadDecryptionError(`Encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const keyId = Buffer.from(rawKeyId).toString();
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`Encrypted payload (key id "${keyId}") is truncated`);
    }
    const decipher = createDecipheriv(CIPHER, this.key(keyId), data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `Encrypted payload (key id "${keyId}") failed authentication: it was altered or the key is not the one it was encrypted with`,
      );
    }
    return ProtoPayload.decode(plaintext);
  }

  private key(keyId: string): Buffer {
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      const known = [...this.keyring.keys.keys()].join(', ');
      throw new PayloadDecryptionError(
        `Payload is encrypted with key id "${keyId}", which is not configured (known key ids: ${known}); add it to PROVISIONER_CODEC_KEYS or the codec key file`,
      );
    }
    return key;
  }
}
