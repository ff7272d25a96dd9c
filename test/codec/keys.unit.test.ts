import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKey, loadOrCreateKeyFile, parseKeyring } from '../../src/keyring.js';

describe('codec keys: PROVISIONER_CODEC_KEYS', () => {
  it('takes the first key as current and accepts all of them', () => {
    const k1 = generateKey();
    const k2 = generateKey();
    const ring = parseKeyring(`k2:${k2}, k1:${k1}`, 'PROVISIONER_CODEC_KEYS');
    assert.equal(ring.currentKeyId, 'k2');
    assert.deepEqual([...ring.keys.keys()], ['k2', 'k1']);
    assert.deepEqual(ring.keys.get('k1'), Buffer.from(k1, 'base64'));
  });

  it('accepts URL-safe base64 without padding', () => {
    const key = randomBytes(32);
    const ring = parseKeyring(`k1:${key.toString('base64url')}`, 'PROVISIONER_CODEC_KEYS');
    assert.deepEqual(ring.keys.get('k1'), key);
  });

  it('generates distinct 32-byte keys', () => {
    const a = generateKey();
    assert.equal(Buffer.from(a, 'base64').length, 32);
    assert.notEqual(a, generateKey());
  });

  const bad: [string, string][] = [
    ['empty', ''],
    ['no key id', `:${generateKey()}`],
    ['no colon', generateKey()],
    ['a 16-byte key', `k1:${randomBytes(16).toString('base64')}`],
    ['a 33-byte key', `k1:${randomBytes(33).toString('base64')}`],
    ['not base64', `k1:${'!'.repeat(44)}`],
    ['a bad key id', `k 1:${generateKey()}`],
    ['an empty entry', `k1:${generateKey()},`],
    ['a repeated key id', `k1:${generateKey()},k1:${generateKey()}`],
  ];
  for (const [what, value] of bad) {
    it(`refuses ${what} in one line naming the variable, without the value`, () => {
      assert.throws(
        () => parseKeyring(value, 'PROVISIONER_CODEC_KEYS'),
        (err: Error) => {
          assert.match(err.message, /^Invalid configuration: PROVISIONER_CODEC_KEYS /);
          assert.doesNotMatch(err.message, /\n/);
          const material = value.split(',')[0]!.split(':')[1];
          if (material) assert.ok(!err.message.includes(material), 'the key material is echoed');
          return true;
        },
      );
    });
  }
});

describe('codec keys: development key file', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'provisioner-codec-keys-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('creates the file once with 0600 and reuses it', async () => {
    const file = join(dir, 'nested', 'codec.key');
    const first = await loadOrCreateKeyFile(file, 'codec key file');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const second = await loadOrCreateKeyFile(file, 'codec key file');
    assert.equal(second.currentKeyId, first.currentKeyId);
    assert.deepEqual(second.keys.get(second.currentKeyId), first.keys.get(first.currentKeyId));
    assert.match(await readFile(file, 'utf8'), /^k1:[A-Za-z0-9+/]{43}=\n$/);
  });

  it('gives concurrent callers the same key', async () => {
    const file = join(dir, 'concurrent.key');
    const rings = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateKeyFile(file, 'codec key file')),
    );
    for (const ring of rings) assert.deepEqual(ring.keys.get('k1'), rings[0]!.keys.get('k1'));
  });

  it('refuses a key file readable by others', async () => {
    const file = join(dir, 'open.key');
    await writeFile(file, `k1:${generateKey()}\n`);
    await chmod(file, 0o644);
    await assert.rejects(
      loadOrCreateKeyFile(file, 'codec key file'),
      /accessible to other users; run chmod 600/,
    );
  });

  it('names the file, not the variable, when its content is bad', async () => {
    const file = join(dir, 'bad.key');
    await writeFile(file, 'k1:short\n', { mode: 0o600 });
    await assert.rejects(
      loadOrCreateKeyFile(file, 'codec key file'),
      new RegExp(`codec key file ${file} entry 1`),
    );
  });
});
