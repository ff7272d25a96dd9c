import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { parseKeyring } from '../../src/keyring.js';
import { openLocalSecretStore } from '../../src/secrets/index.js';
import { keyEntry, tempDir } from '../support/stores.js';

void test('the key list parses: first entry current, all readable, whitespace ignored', () => {
  const k2 = keyEntry('k2');
  const k1 = keyEntry('k1');
  const keyring = parseKeyring(` ${k2} ,${k1}`, 'PROVISIONER_SECRET_KEYS');
  assert.equal(keyring.currentKeyId, 'k2');
  assert.deepEqual(keyring.keys.get('k2'), Buffer.from(k2.slice(3), 'base64'));
  assert.deepEqual([...keyring.keys.keys()], ['k2', 'k1']);
  assert.deepEqual(keyring.keys.get('k1'), Buffer.from(k1.slice(3), 'base64'));
  const urlSafe = randomBytes(32).toString('base64url');
  assert.equal(
    parseKeyring(`dev.1_a-b:${urlSafe}`, 'PROVISIONER_SECRET_KEYS').keys.get('dev.1_a-b')?.length,
    32,
  );
});

void test('bad key configuration is one line naming the variable, never the key material', () => {
  const material = randomBytes(32).toString('base64');
  const short = randomBytes(16).toString('base64');
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    [material, /entry 1 must be "<keyId>:<base64 of 32 bytes>"/],
    [`k1:${short}`, /entry 1 must be/],
    [`k1:${material},k2:${material}!`, /entry 2 must be/],
    [`k1:${material},`, /entry 2 must be/],
    [`bad id:${material}`, /entry 1 must be/],
    [`k1:${material},k1:${material}`, /entry 2 repeats key id "k1"/],
  ];
  for (const [input, expected] of cases) {
    assert.throws(
      () => parseKeyring(input, 'PROVISIONER_SECRET_KEYS'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^Invalid configuration: PROVISIONER_SECRET_KEYS /);
        assert.match(err.message, expected);
        assert.ok(!err.message.includes('\n'));
        for (const secret of [material, short, material.slice(0, 12), short.slice(0, 12)]) {
          assert.ok(!err.message.includes(secret), `message leaks key material: ${input.length} chars input`);
        }
        return true;
      },
    );
  }
});

void test('openLocalSecretStore reports a bad PROVISIONER_SECRET_KEYS before touching the disk', async (t) => {
  const directory = join(await tempDir(t), 'secrets');
  await assert.rejects(
    openLocalSecretStore({ directory, keys: 'k1:nope' }),
    /PROVISIONER_SECRET_KEYS entry 1/,
  );
  await assert.rejects(stat(directory), { code: 'ENOENT' });
});

void test('without configured keys, a key file is created 0600 and reused after', async (t) => {
  const state = await tempDir(t);
  const directory = join(state, 'secrets');
  const keyFile = join(state, 'secret-store.key');

  const first = await openLocalSecretStore({ directory });
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600, 'default key file beside the directory');
  const key = await readFile(keyFile, 'utf8');
  assert.match(key, /^k1:[A-Za-z0-9+/]{43}=\n$/);
  await first.put('users/u1/invite-url', 'https://invite/1');

  const second = await openLocalSecretStore({ directory });
  assert.equal(await readFile(keyFile, 'utf8'), key, 'the key file is not replaced');
  assert.equal((await second.get('users/u1/invite-url')).value, 'https://invite/1');
});

void test('stores opening together agree on one new key file', async (t) => {
  const state = await tempDir(t);
  const directory = join(state, 'secrets');
  const keyFile = join(state, 'nested', 'dev.key');
  const stores = await Promise.all(
    Array.from({ length: 8 }, () => openLocalSecretStore({ directory, keyFile })),
  );
  await stores[0]?.put('a/b', 'shared');
  // Each store reads what the first one wrote only if all of them loaded the same key.
  for (const store of stores) assert.equal((await store.get('a/b')).value, 'shared');
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
});

void test('a key file readable by others is refused with the fix', async (t) => {
  const state = await tempDir(t);
  const keyFile = join(state, 'secret-store.key');
  const material = randomBytes(32).toString('base64');
  await writeFile(keyFile, `k1:${material}\n`);
  await chmod(keyFile, 0o644);
  await assert.rejects(
    openLocalSecretStore({ directory: join(state, 'secrets'), keyFile }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /accessible to other users; run chmod 600/);
      assert.ok(!err.message.includes(material));
      return true;
    },
  );
  await chmod(keyFile, 0o600);
  await writeFile(keyFile, 'k1:short\n');
  await assert.rejects(
    openLocalSecretStore({ directory: join(state, 'secrets'), keyFile }),
    /^ConfigError: Invalid configuration: secret key file .*secret-store\.key entry 1 must be/,
  );
});
