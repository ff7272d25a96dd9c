import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/client/index.js';
import { parseManifest } from '../../src/client/desired-state.js';
import { encodedSize, PAYLOAD_LIMIT_BYTES } from '../../src/client/payload-size.js';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import { generateKey, parseKeyring } from '../../src/keyring.js';
import { defaultFailureConverter, defaultPayloadConverter } from '@temporalio/common';
import { badManifests, fleet, manifestOf } from '../support/manifests.js';

describe('the manifest', () => {
  it('applies its defaults: name "default", no prune, drift reports only', () => {
    const [bank] = fleet(1);
    const manifest = parseManifest({ banks: [bank], drift: { every: '1h' } });
    assert.equal(manifest.name, 'default');
    assert.equal(manifest.prune, false);
    assert.deepEqual(manifest.drift, { every: '1h', reconcile: false });
  });

  it('accepts prune with confirmation, and expiry policies a schedule can honour', () => {
    const [bank] = fleet(1);
    const manifest = parseManifest({
      banks: [{ ...bank!, rotation: { every: '90d', beforeExpiry: '14d', gracePeriod: '1h' } }],
      prune: true,
      confirmPrune: true,
      drift: { every: '1d', reconcile: true },
    });
    assert.equal(manifest.prune, true);
  });

  for (const { name, manifest, paths } of badManifests()) {
    it(`refuses ${name}, naming every path at once`, () => {
      assert.throws(
        () => parseManifest(manifest, 'manifest m.yaml'),
        (err: unknown) => {
          assert.ok(err instanceof InvalidInputError);
          assert.match(err.message, /^Invalid manifest m\.yaml: /);
          // Each problem is `path: message`; a message may itself hold "; ".
          const named = [
            ...err.message.matchAll(/(?:: |; )(manifest|banks[\w.]*|[a-zA-Z]+(?:\.\w+)*): /g),
          ].map((match) => match[1]);
          assert.deepEqual([...new Set(named)].sort(), [...paths].sort(), err.message);
          return true;
        },
      );
    });
  }

  it('of 1,000 banks with 5 users each fits one Temporal payload, encrypted and compressed', async () => {
    const manifest = parseManifest(
      manifestOf(
        fleet(1_000, () => 5),
        { drift: { every: '1h' } },
      ),
    );
    // What the client loads from the worker's data converter: JSON, then the codec (compress, encrypt).
    const converter = {
      payloadConverter: defaultPayloadConverter,
      failureConverter: defaultFailureConverter,
      payloadCodecs: [new EncryptionCodec(parseKeyring(`k:${generateKey()}`, 'keys'))],
    };
    const bytes = await encodedSize(converter, { manifest, act: true });
    const plain = JSON.stringify(manifest).length;
    assert.ok(bytes < PAYLOAD_LIMIT_BYTES / 4, `${bytes} bytes encoded (${plain} as JSON)`);
  });
});
