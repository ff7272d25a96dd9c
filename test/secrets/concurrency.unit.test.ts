import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLocalSecretStore, SecretStoreError } from '../../src/secrets/index.js';
import { keyEntry, tempDir } from '../support/stores.js';

const NAME = 'banks/b1/credential';
const LOCK = 'banks~b1~credential.json.lock';
const CHILD = fileURLToPath(new URL('./child-writer.ts', import.meta.url));

void test('parallel writers in two stores and a child process lose nothing', async (t) => {
  const directory = await tempDir(t);
  const keys = keyEntry('k1');
  const [a, b] = await Promise.all([
    openLocalSecretStore({ directory, keys }),
    openLocalSecretStore({ directory, keys }),
  ]);

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, directory, NAME, '20', 'child'], {
    env: { ...process.env, PROVISIONER_SECRET_KEYS: keys },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.after(() => void (child.exitCode === null && child.kill()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const ready = once(createInterface({ input: child.stdout }), 'line');
  await Promise.race([ready, exited.then(() => assert.fail(`child writer exited early: ${stderr}`))]);

  child.stdin.end('go\n');
  const writes = Array.from({ length: 20 }, (_, i) => [a.put(NAME, `a-${i}`), b.put(NAME, `b-${i}`)]).flat();
  const written = await Promise.all(writes);
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, stderr);

  assert.equal(new Set(written.map((w) => w.version)).size, 40, 'every put got its own version');
  const versions = await a.versions(NAME);
  assert.deepEqual(
    versions.map((v) => v.version),
    Array.from({ length: 60 }, (_, i) => String(i + 1)),
  );
  assert.equal(versions.filter((v) => v.stage === 'current').length, 1);
  const values = await Promise.all(
    versions.map((v) => b.get(NAME, { version: v.version }).then((s) => s.value)),
  );
  const expected = ['a', 'b', 'child'].flatMap((label) =>
    Array.from({ length: 20 }, (_, i) => `${label}-${i}`),
  );
  assert.deepEqual(values.sort(), expected.sort());
  assert.deepEqual(await readdir(directory), ['banks~b1~credential.json'], 'no lock or temp file left');
});

void test('a lock left by an earlier process under this process id is broken (pid reuse)', async (t) => {
  const directory = await tempDir(t);
  const store = await openLocalSecretStore({ directory, keys: keyEntry('k1'), lockTimeoutMs: 2_000 });
  await store.put(NAME, 'first'); // a name's first version is created without the lock; later ones take it
  const lock = join(directory, LOCK);
  await writeFile(lock, JSON.stringify({ host: hostname(), pid: process.pid, token: 'gone' }));
  const beforeThisProcess = new Date(performance.timeOrigin - 1_000);
  await utimes(lock, beforeThisProcess, beforeThisProcess);
  assert.equal((await store.put(NAME, 'v')).version, '2');
  assert.deepEqual(await readdir(directory), ['banks~b1~credential.json']);
});

void test('a lock left by a dead process is broken', async (t) => {
  const directory = await tempDir(t);
  const store = await openLocalSecretStore({ directory, keys: keyEntry('k1'), lockTimeoutMs: 2_000 });
  const dead = spawn(process.execPath, ['-e', '']);
  await once(dead, 'exit');
  await store.put(NAME, 'first');
  await writeFile(join(directory, LOCK), JSON.stringify({ host: hostname(), pid: dead.pid, token: 'gone' }));
  assert.equal((await store.put(NAME, 'v')).version, '2');
  assert.deepEqual(await readdir(directory), ['banks~b1~credential.json']);
});

void test('a lock held by a live process makes a writer wait, then fail with a clear message', async (t) => {
  const directory = await tempDir(t);
  const store = await openLocalSecretStore({ directory, keys: keyEntry('k1'), lockTimeoutMs: 200 });
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  t.after(() => void holder.kill());
  await store.put(NAME, 'first');
  const lock = join(directory, LOCK);
  await writeFile(lock, JSON.stringify({ host: hostname(), pid: holder.pid, token: 'held' }));
  await assert.rejects(store.put(NAME, 'v'), (err: unknown) => {
    assert.ok(err instanceof SecretStoreError);
    assert.match(err.message, /Timed out after 200 ms waiting for the lock .*\.lock/);
    return true;
  });
  assert.deepEqual(
    (await store.versions(NAME)).map((v) => v.version),
    ['1'],
  );
});
