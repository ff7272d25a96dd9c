import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  openLocalSecretStore,
  parseSecretRef,
  SecretConflict,
  SecretNotFound,
  SecretRevoked,
  SecretStoreError,
} from '../../src/secrets/index.js';
import { keyEntry, tempDir } from './helpers.js';

async function openStore(t: TestContext) {
  return openLocalSecretStore({ directory: join(await tempDir(t), 'secrets'), keys: keyEntry('k1') });
}

const NAME = 'banks/0f3c/client-secret';

void test('a value written under a name reads back by the returned ref and by the bare name', async (t) => {
  const store = await openStore(t);
  const { ref, version } = await store.put(NAME, 's3cr3t-ünïcode', { metadata: { clientId: 'c1' } });
  assert.equal(ref, 'local:banks/0f3c/client-secret');
  assert.equal(version, 1);
  assert.deepEqual(parseSecretRef(ref), { scheme: 'local', name: NAME });
  for (const r of [ref, NAME]) {
    const secret = await store.get(r);
    assert.equal(secret.value, 's3cr3t-ünïcode');
    assert.equal(secret.stage, 'current');
    assert.deepEqual(secret.metadata, { clientId: 'c1' });
  }
  assert.equal(await store.has(ref), true);
  assert.equal(await store.has('banks/other/client-secret'), false);
});

void test('an unknown name is SecretNotFound naming the ref, and versions() is empty', async (t) => {
  const store = await openStore(t);
  await assert.rejects(store.get('users/u1/invite-url'), (err: unknown) => {
    assert.ok(err instanceof SecretNotFound);
    assert.match(err.message, /local:users\/u1\/invite-url/);
    return true;
  });
  assert.deepEqual(await store.versions('users/u1/invite-url'), []);
});

void test('invalid names and refs of another store are refused', async (t) => {
  const store = await openStore(t);
  for (const name of ['../escape', 'a//b', '/abs', 'a/.hidden', 'with space', 'a:b', '']) {
    await assert.rejects(store.put(name, 'v'), SecretStoreError, name);
  }
  await assert.rejects(store.get(`vault:${NAME}`), /belongs to the "vault" store/);
});

void test('versions move pending → current → previous', async (t) => {
  const store = await openStore(t);
  await store.put(NAME, 'first');
  const second = await store.put(NAME, 'second', { stage: 'pending', metadata: { clientId: 'c2' } });
  assert.equal(second.version, 2);
  assert.equal((await store.get(NAME)).value, 'first', 'a pending version is not read by default');
  assert.equal((await store.get(NAME, { version: 2 })).value, 'second');

  await store.promote(second.ref, 2);
  assert.deepEqual(
    (await store.versions(NAME)).map((v) => [v.version, v.stage]),
    [
      [1, 'previous'],
      [2, 'current'],
    ],
  );
  const current = await store.get(NAME);
  assert.equal(current.value, 'second');
  assert.equal(current.version, 2);
  assert.deepEqual(current.metadata, { clientId: 'c2' });
  assert.equal((await store.get(NAME, { version: 1 })).value, 'first', 'previous stays readable');

  await store.promote(NAME, 2); // already current: no change
  await store.put(NAME, 'third'); // a current write demotes the current one too
  assert.deepEqual(
    (await store.versions(NAME)).map((v) => v.stage),
    ['previous', 'previous', 'current'],
  );
  await assert.rejects(store.promote(NAME, 9), SecretNotFound);
});

void test('a put retried with the same idempotency key adds no version', async (t) => {
  const store = await openStore(t);
  const first = await store.put(NAME, 'pw-alpha', { idempotencyKey: 'client-1', stage: 'pending' });
  const retry = await store.put(NAME, 'pw-alpha', { idempotencyKey: 'client-1', stage: 'pending' });
  assert.deepEqual(retry, first);
  const other = await store.put(NAME, 'pw-gamma', { idempotencyKey: 'client-2' });
  assert.equal(other.version, 2);
  assert.equal((await store.versions(NAME)).length, 2);
  await assert.rejects(store.put(NAME, 'pw-beta', { idempotencyKey: 'client-1' }), (err: unknown) => {
    assert.ok(err instanceof SecretConflict);
    assert.doesNotMatch(err.message, /pw-/);
    return true;
  });
  assert.equal((await store.versions(NAME)).length, 2);
});

void test('revoke deletes the value, refuses reads and cannot be promoted back', async (t) => {
  const store = await openStore(t);
  await store.put(NAME, 'old', { metadata: { clientId: 'c1' } });
  await store.put(NAME, 'new', { stage: 'pending' });
  await store.revoke(NAME, 1);
  await store.revoke(NAME, 1); // idempotent
  await assert.rejects(store.get(NAME, { version: 1 }), (err: unknown) => {
    assert.ok(err instanceof SecretRevoked);
    assert.match(err.message, /local:banks\/0f3c\/client-secret version 1 is revoked/);
    return true;
  });
  await assert.rejects(store.get(NAME), /has no current version/);
  await assert.rejects(store.promote(NAME, 1), SecretRevoked);
  const [revoked] = await store.versions(NAME);
  assert.deepEqual(revoked?.metadata, { clientId: 'c1' }, 'metadata stays for the record');
  assert.equal(revoked?.stage, 'revoked');

  await store.revoke(NAME); // every version
  assert.deepEqual(
    (await store.versions(NAME)).map((v) => v.stage),
    ['revoked', 'revoked'],
  );
  await assert.rejects(store.get(NAME), SecretRevoked);
  assert.equal(await store.has(NAME), false);
  await assert.rejects(store.revoke('banks/none/client-secret'), SecretNotFound);
  await assert.rejects(store.revoke(NAME, 7), SecretNotFound);
});

void test('list returns the refs of stored names under a prefix', async (t) => {
  const store = await openStore(t);
  await store.put('users/u2/invite-url', 'https://invite/2');
  await store.put('users/u1/invite-url', 'https://invite/1');
  await store.put(NAME, 'x');
  assert.deepEqual(await store.list('users/'), ['local:users/u1/invite-url', 'local:users/u2/invite-url']);
  assert.equal((await store.list()).length, 3);
});
