/**
 * The payload codec: every payload leaving the worker, the client or the CLI is encrypted with AES-256-GCM
 * (random 12-byte IV, 16-byte auth tag) under the current key; the ciphertext is the protobuf encoding of the
 * original payload, so its metadata (encoding, message type) is hidden too. Decoding picks the key by the id
 * in the metadata and passes payloads that were never encrypted through unchanged.
 *
 * Payloads of some size are compressed (brotli) before they are encrypted, so inputs and results of the
 * size the contract allows fit Temporal's payload limit. The `encryption-compression` metadata says so and
 * is authenticated as associated data (flipping it fails decryption); payloads without it, as written
 * before compression existed, decode as they always did. Compressing before encrypting can reveal, through
 * the length, how alike the parts of one payload are; payloads never hold secrets (those stay in the secret
 * store), so this is accepted.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
// Default import: the package is CommonJS and Node's ESM loader cannot see its named exports.
import proto from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants as zlib } from 'node:zlib';
import type { Keyring } from '../keyring.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const COMPRESSION_METADATA = 'encryption-compression';
const BROTLI = 'br';
/** Smaller payloads are left as they are: compressing them saves nothing that matters. */
const COMPRESS_FROM_BYTES = 512;

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

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

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decrypt(payload)));
  }

  private async encrypt(payload: Payload): Promise<Payload> {
    const keyId = this.keyring.currentKeyId;
    const encoded = ProtoPayload.encode(payload).finish();
    const compressed = encoded.length >= COMPRESS_FROM_BYTES ? await brotli(encoded) : undefined;
    const useCompressed = compressed !== undefined && compressed.length < encoded.length;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.key(keyId), iv);
    if (useCompressed) cipher.setAAD(Buffer.from(BROTLI));
    const plaintext = useCompressed ? compressed : encoded;
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(keyId),
        ...(useCompressed ? { [COMPRESSION_METADATA]: Buffer.from(BROTLI) } : {}),
      },
      // iv ‖ ciphertext ‖ tag
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private async decrypt(payload: Payload): Promise<Payload> {
    const encoding = payload.metadata?.encoding;
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
    const rawKeyId = payload.metadata?.[KEY_ID_METADATA];
    if (!rawKeyId) throw new PayloadDecryptionError(`Encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const keyId = Buffer.from(rawKeyId).toString();
    const rawCompression = payload.metadata?.[COMPRESSION_METADATA];
    const compression = rawCompression ? Buffer.from(rawCompression).toString() : undefined;
    if (compression !== undefined && compression !== BROTLI) {
      throw new PayloadDecryptionError(`Encrypted payload (key id "${keyId}") uses an unknown compression`);
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`Encrypted payload (key id "${keyId}") is truncated`);
    }
    const decipher = createDecipheriv(CIPHER, this.key(keyId), data.subarray(0, IV_BYTES));
    if (compression) decipher.setAAD(Buffer.from(compression));
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
    return ProtoPayload.decode(compression ? await decompress(plaintext) : plaintext);
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

/** Brotli at a middle quality: close to the best ratio on JSON for a fraction of the time. */
function brotli(bytes: Uint8Array): Promise<Buffer> {
  return compress(bytes, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
}
