import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLocalSecretStore, SecretStoreCorrupt } from '../../src/secrets/index.js';
import { keyEntry, tempDir } from '../support/stores.js';

const NAME = 'banks/b1/credential';
const FILE = 'banks~b1~credential.json';

function assertCorrupt(pattern: RegExp, ...forbidden: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof SecretStoreCorrupt, String(err));
    assert.match(err.message, /local:banks\/b1\/credential/);
    assert.match(err.message, pattern);
    for (const text of forbidden) assert.ok(!err.message.includes(text), 'the message leaks secret material');
    return true;
  };
}

void test('the files hold no plaintext; directory 0700, files 0600', async (t) => {
  const directory = join(await tempDir(t), 'state', 'secrets');
  const store = await openLocalSecretStore({ directory, keys: keyEntry('k1') });
  const secret = 'plain-text-canary-4f9d2';
  await store.put(NAME, secret, { idempotencyKey: 'i1' });
  await store.put('users/u1/invite-url', `https://idp.example/invite?token=${secret}`);

  assert.equal((await stat(directory)).mode & 0o777, 0o700);
  const files = await readdir(directory);
  assert.deepEqual(files.sort(), [FILE, 'users~u1~invite-url.json']);
  for (const file of files) {
    const path = join(directory, file);
    assert.equal((await stat(path)).mode & 0o777, 0o600, file);
    const raw = await readFile(path);
    for (const needle of [secret, Buffer.from(secret).toString('base64').slice(0, 16)]) {
      assert.equal(raw.includes(needle), false, `${file} contains the secret`);
    }
  }
});

void test('reading with the wrong key is SecretStoreCorrupt without key material', async (t) => {
  const directory = await tempDir(t);
  const writer = await openLocalSecretStore({ directory, keys: keyEntry('k1') });
  await writer.put(NAME, 'value-1');

  const otherKey = keyEntry('k1');
  const reader = await openLocalSecretStore({ directory, keys: otherKey });
  await assert.rejects(
    reader.get(NAME),
    assertCorrupt(/failed authentication with key "k1"/, otherKey.slice(3)),
  );

  const unknown = await openLocalSecretStore({ directory, keys: keyEntry('k9') });
  await assert.rejects(unknown.get(NAME), assertCorrupt(/key "k1", which is not configured/));
});

void test('key rotation: old values still read, new writes use the new current key', async (t) => {
  const directory = await tempDir(t);
  const k1 = keyEntry('k1');
  const k2 = keyEntry('k2');
  await (await openLocalSecretStore({ directory, keys: k1 })).put(NAME, 'written-with-k1');

  const rotated = await openLocalSecretStore({ directory, keys: `${k2}, ${k1}` });
  assert.equal((await rotated.get(NAME)).value, 'written-with-k1');
  await rotated.put(NAME, 'written-with-k2');
  assert.equal((await rotated.get(NAME)).value, 'written-with-k2');

  const stored = JSON.parse(await readFile(join(directory, FILE), 'utf8')) as {
    versions: { sealed: { keyId: string; iv: string } }[];
  };
  assert.deepEqual(
    stored.versions.map((v) => v.sealed.keyId),
    ['k1', 'k2'],
  );
  assert.notEqual(stored.versions[0]?.sealed.iv, stored.versions[1]?.sealed.iv);

  const onlyK2 = await openLocalSecretStore({ directory, keys: k2 });
  assert.equal((await onlyK2.get(NAME)).value, 'written-with-k2');
  await assert.rejects(onlyK2.get(NAME, { version: '1' }), assertCorrupt(/"k1", which is not configured/));
});

void test('tampering is detected: an edited version number, ciphertext moved to another version, malformed file', async (t) => {
  const directory = await tempDir(t);
  const store = await openLocalSecretStore({ directory, keys: keyEntry('k1') });
  await store.put(NAME, 'one');
  await store.put(NAME, 'two', { stage: 'pending' });
  const path = join(directory, FILE);
  const original = await readFile(path, 'utf8');
  const edit = async (change: (data: { versions: Record<string, unknown>[] }) => void) => {
    const data = JSON.parse(original) as { versions: Record<string, unknown>[] };
    change(data);
    await writeFile(path, JSON.stringify(data));
  };

  await edit((data) => {
    data.versions[0]!.version = 3;
  });
  await assert.rejects(store.get(NAME, { version: '3' }), assertCorrupt(/failed authentication/));

  await edit((data) => void (data.versions[1]!.sealed = data.versions[0]!.sealed));
  await assert.rejects(store.get(NAME, { version: '2' }), assertCorrupt(/failed authentication/));

  await writeFile(path, '{"format":2,');
  await assert.rejects(store.get(NAME), assertCorrupt(/not valid JSON/));
  await writeFile(path, JSON.stringify({ format: 2, name: NAME, versions: [{ version: 1 }] }));
  await assert.rejects(store.versions(NAME), assertCorrupt(/malformed file/));
});
