/**
 * What every secret store guarantees (src/secrets/store.ts), run against each backend: the local files and
 * AWS Secrets Manager (the moto emulator, through the real SDK).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseSecretRef,
  SecretConflict,
  SecretNotFound,
  SecretRevoked,
  SecretStoreError,
} from '../../src/secrets/index.js';
import { secretBackends } from '../support/stores.js';

const NAME = 'banks/0f3c/credential';

for (const backend of secretBackends) {
  describe(`secret store: ${backend.name}`, () => {
    it('reads a value back by the returned ref and by the bare name', async (t) => {
      const store = await backend.open(t);
      const { ref, version } = await store.put(NAME, 's3cr3t-ünïcode {"json": true}');
      assert.equal(ref, `${backend.scheme}:${NAME}`);
      assert.deepEqual(parseSecretRef(ref), { scheme: backend.scheme, name: NAME });
      for (const r of [ref, NAME]) {
        const secret = await store.get(r);
        assert.equal(secret.value, 's3cr3t-ünïcode {"json": true}');
        assert.equal(secret.stage, 'current');
        assert.equal(secret.version, version);
        assert.ok(Date.parse(secret.createdAt) > Date.now() - 60_000);
      }
    });

    it('an unknown name is SecretNotFound naming the ref, and has no versions', async (t) => {
      const store = await backend.open(t);
      await assert.rejects(store.get('users/u1/invite-url'), {
        name: 'SecretNotFound',
        message: `Secret ${backend.scheme}:users/u1/invite-url is not stored`,
      });
      assert.deepEqual(await store.versions('users/u1/invite-url'), []);
      await assert.rejects(store.revoke(NAME, 'v9'), SecretNotFound);
    });

    it('refuses invalid names, and refs of another store naming the variable that selects it', async (t) => {
      const store = await backend.open(t);
      for (const name of ['../escape', 'a//b', '/abs', 'a/.hidden', 'with space', '']) {
        await assert.rejects(store.put(name, 'v'), SecretStoreError, name);
      }
      await assert.rejects(store.get(`vault:${NAME}`), {
        name: 'SecretStoreError',
        message: new RegExp(
          `belongs to the "vault" store, which is not configured here: this process uses the "${backend.scheme}" store \\(PROVISIONER_SECRET_STORE\\)`,
        ),
      });
    });

    it('moves stages as Secrets Manager moves its labels: pending → current → previous → superseded', async (t) => {
      const store = await backend.open(t);
      const first = await store.put(NAME, 'first', { stage: 'pending' });
      assert.equal((await store.get(NAME)).version, first.version, 'the first version is current');

      const second = await store.put(NAME, 'second', { stage: 'pending' });
      assert.equal((await store.get(NAME)).value, 'first', 'a pending version is not read by default');
      const pending = await store.get(NAME, { version: second.version });
      assert.deepEqual([pending.value, pending.stage], ['second', 'pending']);

      const third = await store.put(NAME, 'third', { stage: 'pending' });
      const stages = async () => new Map((await store.versions(NAME)).map((v) => [v.version, v.stage]));
      assert.equal(
        (await stages()).get(second.version),
        'superseded',
        'a new pending supersedes the old one',
      );
      assert.equal((await store.get(NAME, { version: second.version })).value, 'second', 'still readable');

      await store.promote(NAME, third.version);
      await store.promote(NAME, third.version); // already current: no change
      assert.deepEqual(Object.fromEntries(await stages()), {
        [first.version]: 'previous',
        [second.version]: 'superseded',
        [third.version]: 'current',
      });
      assert.equal((await store.get(NAME)).value, 'third');

      const fourth = await store.put(NAME, 'fourth'); // current by default: demotes the current one
      assert.deepEqual(Object.fromEntries(await stages()), {
        [first.version]: 'superseded',
        [second.version]: 'superseded',
        [third.version]: 'previous',
        [fourth.version]: 'current',
      });
      assert.deepEqual(
        (await store.versions(NAME)).map((v) => v.version).sort(),
        [first.version, second.version, third.version, fourth.version].sort(),
      );
      await assert.rejects(store.promote(NAME, 'no-such-version'), SecretNotFound);
    });

    it('a put retried with the same idempotency key adds no version and moves no stage', async (t) => {
      const store = await backend.open(t);
      await store.put(NAME, 'pw-zero');
      const first = await store.put(NAME, 'pw-alpha', { idempotencyKey: 'client-1', stage: 'pending' });
      await store.promote(NAME, first.version);
      const retry = await store.put(NAME, 'pw-alpha', { idempotencyKey: 'client-1', stage: 'pending' });
      assert.deepEqual(retry, first);
      assert.equal((await store.get(NAME)).version, first.version, 'the retry did not demote it to pending');
      assert.equal((await store.versions(NAME)).length, 2);
      await assert.rejects(store.put(NAME, 'pw-beta', { idempotencyKey: 'client-1' }), (err: unknown) => {
        assert.ok(err instanceof SecretConflict);
        assert.doesNotMatch(err.message, /pw-/);
        return true;
      });
      const other = await store.put(NAME, 'pw-gamma', { idempotencyKey: 'client-2' });
      assert.notEqual(other.version, first.version);
      assert.equal((await store.versions(NAME)).length, 3);
    });

    it('a revoked version can no longer be read or promoted; revoking is idempotent', async (t) => {
      const store = await backend.open(t);
      const old = await store.put(NAME, 'old');
      const next = await store.put(NAME, 'new', { stage: 'pending' });
      await store.revoke(NAME, next.version);
      await store.revoke(NAME, next.version);
      await assert.rejects(store.get(NAME, { version: next.version }), {
        name: 'SecretRevoked',
        message: `Secret ${backend.scheme}:${NAME} version ${next.version} is revoked`,
      });
      await assert.rejects(store.promote(NAME, next.version), SecretRevoked);
      assert.equal((await store.get(NAME)).value, 'old');

      await store.revoke(NAME, old.version); // the current one: no current version is left
      assert.deepEqual(
        (await store.versions(NAME)).map((v) => v.stage),
        ['revoked', 'revoked'],
      );
      await assert.rejects(store.get(NAME), {
        name: 'SecretRevoked',
        message: `Secret ${backend.scheme}:${NAME} is revoked`,
      });

      const later = await store.put(NAME, 'later', { stage: 'pending' });
      await assert.rejects(store.get(NAME), { name: 'SecretNotFound', message: /has no current version/ });
      await store.promote(NAME, later.version);
      assert.equal((await store.get(NAME)).value, 'later');
    });

    it('concurrent writers through two store instances lose nothing', async (t) => {
      const [a, b] = await backend.openTwo(t);
      const puts = Array.from({ length: 10 }, (_, i) => [
        a.put(NAME, `a-${i}`),
        b.put(NAME, `b-${i}`),
      ]).flat();
      const written = await Promise.all(puts);
      assert.equal(new Set(written.map((w) => w.version)).size, 20, 'every put got its own version');
      const versions = await b.versions(NAME);
      assert.equal(versions.length, 20);
      assert.equal(versions.filter((v) => v.stage === 'current').length, 1);
      const values = await Promise.all(versions.map((v) => a.get(NAME, { version: v.version })));
      assert.deepEqual(
        values.map((v) => v.value).sort(),
        ['a', 'b'].flatMap((w) => Array.from({ length: 10 }, (_, i) => `${w}-${i}`)).sort(),
      );
    });
  });
}
