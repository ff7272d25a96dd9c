import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import {
  COMPRESSION_METADATA,
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../src/codec/encryption-codec.js';
import { generateKey, parseKeyring } from '../../src/keyring.js';

const K1 = generateKey();
const K2 = generateKey();
const ringK1 = parseKeyring(`k1:${K1}`, 'PROVISIONER_CODEC_KEYS');
const ringK2ThenK1 = parseKeyring(`k2:${K2},k1:${K1}`, 'PROVISIONER_CODEC_KEYS');
const SECRET_TEXT = 'bank 0123456789abcdef: plaintext that must not be stored';

const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

describe('encryption codec', () => {
  it('round-trips payloads, metadata included', async () => {
    const codec = new EncryptionCodec(ringK1);
    const originals = [
      toPayload({ note: SECRET_TEXT, n: 42 }),
      toPayload(undefined),
      toPayload(new Uint8Array([0, 1, 255])),
    ];
    const decoded = await codec.decode(await codec.encode(originals));
    assert.deepEqual(fromPayload(decoded[0]!), { note: SECRET_TEXT, n: 42 });
    assert.equal(fromPayload(decoded[1]!), undefined);
    assert.deepEqual(fromPayload(decoded[2]!), new Uint8Array([0, 1, 255]));
    for (const [i, payload] of decoded.entries()) {
      assert.equal(text(payload.metadata?.encoding), text(originals[i]!.metadata?.encoding));
    }
  });

  it('hides the content and the original encoding, and names the key id', async () => {
    const [encrypted] = await new EncryptionCodec(ringK1).encode([toPayload(SECRET_TEXT)]);
    assert.equal(text(encrypted!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata?.[KEY_ID_METADATA]), 'k1');
    assert.deepEqual(Object.keys(encrypted!.metadata ?? {}).sort(), ['encoding', KEY_ID_METADATA].sort());
    assert.ok(!Buffer.from(encrypted!.data!).includes(SECRET_TEXT));
    assert.ok(!Buffer.from(encrypted!.data!).includes('json/plain'));
  });

  it('uses a fresh IV: the same payload encrypts differently each time', async () => {
    const codec = new EncryptionCodec(ringK1);
    const [a, b] = await codec.encode([toPayload(SECRET_TEXT), toPayload(SECRET_TEXT)]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('rotates: old payloads still decode, new ones use the new current key', async () => {
    const [old] = await new EncryptionCodec(ringK1).encode([toPayload('before rotation')]);
    const rotated = new EncryptionCodec(ringK2ThenK1);
    const [decodedOld] = await rotated.decode([old!]);
    assert.equal(fromPayload(decodedOld!), 'before rotation');
    const [fresh] = await rotated.encode([toPayload('after rotation')]);
    assert.equal(text(fresh!.metadata?.[KEY_ID_METADATA]), 'k2');
    await assert.rejects(new EncryptionCodec(ringK1).decode([fresh!]), /key id "k2"/);
  });

  it('fails clearly, naming the key id, when the key is unknown', async () => {
    const [encrypted] = await new EncryptionCodec(
      parseKeyring(`k9:${generateKey()}`, 'PROVISIONER_CODEC_KEYS'),
    ).encode([toPayload(SECRET_TEXT)]);
    await assert.rejects(new EncryptionCodec(ringK2ThenK1).decode([encrypted!]), (err: Error) => {
      assert.ok(err instanceof PayloadDecryptionError);
      assert.match(err.message, /key id "k9", which is not configured \(known key ids: k2, k1\)/);
      assert.ok(!err.message.includes(K1) && !err.message.includes(K2));
      return true;
    });
  });

  it('refuses a tampered ciphertext, IV or tag', async () => {
    const codec = new EncryptionCodec(ringK1);
    const [encrypted] = await codec.encode([toPayload(SECRET_TEXT)]);
    const data = Buffer.from(encrypted!.data!);
    for (const index of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index]! ^= 0x01;
      await assert.rejects(
        codec.decode([{ ...encrypted!, data: tampered }]),
        /key id "k1"\) failed authentication/,
        `byte ${index} flipped`,
      );
    }
    await assert.rejects(codec.decode([{ ...encrypted!, data: data.subarray(0, 20) }]), /truncated/);
  });

  it('refuses a payload whose key id was swapped to another known key', async () => {
    const [encrypted] = await new EncryptionCodec(ringK2ThenK1).encode([toPayload(SECRET_TEXT)]);
    const swapped = {
      ...encrypted!,
      metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('k1') },
    };
    await assert.rejects(new EncryptionCodec(ringK2ThenK1).decode([swapped]), /failed authentication/);
  });

  it('refuses an encrypted payload without a key id', async () => {
    const [encrypted] = await new EncryptionCodec(ringK1).encode([toPayload(SECRET_TEXT)]);
    const noKeyId = { ...encrypted!, metadata: { encoding: encrypted!.metadata!.encoding! } };
    await assert.rejects(new EncryptionCodec(ringK1).decode([noKeyId]), /no encryption-key-id metadata/);
  });

  it('passes payloads that are not encrypted through unchanged', async () => {
    const plain = [toPayload({ legacy: true }), { data: Buffer.from('raw') }, {}];
    const decoded = await new EncryptionCodec(ringK1).decode(plain);
    assert.equal(decoded.length, 3);
    for (const [i, payload] of decoded.entries()) assert.equal(payload, plain[i]);
  });

  it('compresses large payloads before encrypting them, and round-trips them', async () => {
    const codec = new EncryptionCodec(ringK1);
    const users = Array.from({ length: 2_000 }, (_, i) => ({ email: `user-${i}@bank.example.com` }));
    const original = toPayload({ users });
    const [encrypted] = await codec.encode([original]);
    assert.equal(text(encrypted!.metadata?.[COMPRESSION_METADATA]), 'br');
    assert.ok(
      encrypted!.data!.length < original.data!.length / 5,
      `${encrypted!.data!.length} bytes from ${original.data!.length}`,
    );
    assert.deepEqual(fromPayload((await codec.decode([encrypted!]))[0]!), { users });
  });

  it('leaves small or incompressible payloads uncompressed', async () => {
    const codec = new EncryptionCodec(ringK1);
    const random = toPayload(
      Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256))),
    );
    for (const payload of await codec.encode([toPayload('short'), random]))
      assert.equal(payload.metadata?.[COMPRESSION_METADATA], undefined);
  });

  it('refuses a payload whose compression label was removed or changed', async () => {
    const codec = new EncryptionCodec(ringK1);
    const [encrypted] = await codec.encode([toPayload({ text: SECRET_TEXT.repeat(100) })]);
    const { [COMPRESSION_METADATA]: _label, ...withoutLabel } = encrypted!.metadata!;
    await assert.rejects(codec.decode([{ ...encrypted!, metadata: withoutLabel }]), /failed authentication/);
    const relabelled = { ...encrypted!.metadata!, [COMPRESSION_METADATA]: Buffer.from('gzip') };
    await assert.rejects(codec.decode([{ ...encrypted!, metadata: relabelled }]), /unknown compression/);
  });

  it('decodes payloads written before compression existed', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('./fixtures/payload-before-compression.json', import.meta.url), 'utf8'),
    ) as { key: string; value: unknown; payload: Record<string, unknown> };
    const payload = proto.temporal.api.common.v1.Payload.fromObject(fixture.payload);
    assert.equal(payload.metadata[COMPRESSION_METADATA], undefined);
    const codec = new EncryptionCodec(parseKeyring(fixture.key, 'PROVISIONER_CODEC_KEYS'));
    assert.deepEqual(fromPayload((await codec.decode([payload]))[0]!), fixture.value);
  });

  it('handles an empty list', async () => {
    const codec = new EncryptionCodec(ringK1);
    assert.deepEqual(await codec.encode([]), []);
    assert.deepEqual(await codec.decode([]), []);
  });
});
