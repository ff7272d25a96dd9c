/** The provisioning ledger, run against each backend: SQLite and PostgreSQL (the run's real cluster). */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openLedger } from '../../src/ledger/index.js';
import { freePort } from '../support/ports.js';
import { ledgerBackends, openTestLedger } from '../support/stores.js';

const run = promisify(execFile);
const OPENER = fileURLToPath(new URL('./child-opener.ts', import.meta.url));

const rotation = (workflowId: string, rotatedAt: string) => ({
  workflowId,
  rotatedAt,
  previousClientId: `prev-${workflowId}`,
  clientId: `next-${workflowId}`,
});

for (const backend of ledgerBackends) {
  describe(`ledger: ${backend.name}`, () => {
    it('records the users of a bank once each, ordered by email, apart from other banks', async (t) => {
      const ledger = await openTestLedger(t, backend);
      await ledger.recordUsers('bank-a', [
        { guid: 'u2', email: 'zed@example.com' },
        { guid: 'u1', email: 'amy@example.com' },
      ]);
      await ledger.recordUsers('bank-a', [{ guid: 'u1', email: 'amy@example.com' }]); // a retry
      await ledger.recordUsers('bank-b', [{ guid: 'u1', email: 'amy@example.com' }]);
      await ledger.recordUsers('bank-b', []);
      assert.deepEqual(await ledger.usersOf('bank-a'), [
        { guid: 'u1', email: 'amy@example.com' },
        { guid: 'u2', email: 'zed@example.com' },
      ]);
      assert.deepEqual(await ledger.usersOf('bank-b'), [{ guid: 'u1', email: 'amy@example.com' }]);
      assert.deepEqual(await ledger.usersOf('bank-c'), []);
    });

    it('records each rotation once, every rotation of a bank under its one workflow id, oldest first', async (t) => {
      const ledger = await openTestLedger(t, backend);
      const second = { ...rotation('bank-a', '2026-02-01T00:00:00.000Z'), clientId: 'third' };
      await ledger.recordRotation('bank-a', second);
      await ledger.recordRotation('bank-a', rotation('bank-a', '2026-01-01T00:00:00.000Z'));
      await ledger.recordRotation('bank-a', rotation('bank-a', '2026-01-01T00:00:00.000Z')); // a retry
      assert.deepEqual(await ledger.rotationsOf('bank-a'), [
        rotation('bank-a', '2026-01-01T00:00:00.000Z'),
        second,
      ]);
      assert.deepEqual(await ledger.rotationsOf('bank-b'), []);
    });

    it('records the users a prune disabled, once each, per bank; knows every user recorded for any bank', async (t) => {
      const ledger = await openTestLedger(t, backend);
      await ledger.recordUsers('bank-a', [{ guid: 'u1', email: 'amy@example.com' }]);
      await ledger.recordUsers('bank-b', [
        { guid: 'u1', email: 'amy@example.com' },
        { guid: 'u2', email: 'zed@example.com' },
      ]);
      await ledger.recordDisabled('bank-b', ['u2', 'u1'], '2026-01-01T00:00:00.000Z');
      await ledger.recordDisabled('bank-b', ['u2'], '2026-02-01T00:00:00.000Z'); // a retry
      await ledger.recordDisabled('bank-b', [], '2026-02-01T00:00:00.000Z');
      assert.deepEqual(await ledger.disabledUsersOf('bank-b'), ['u1', 'u2']);
      assert.deepEqual(await ledger.disabledUsersOf('bank-a'), []);
      assert.deepEqual(await ledger.recordedUserGuids(), ['u1', 'u2']);
    });

    it('records each task a person completed once, per bank, oldest first', async (t) => {
      const ledger = await openTestLedger(t, backend);
      const completion = (taskId: string, bankGuid: string, at: string) => ({
        taskId,
        bankGuid,
        workflowId: taskId.split('~')[0]!,
        kind: 'disable-users',
        by: 'Ada',
        at,
        evidence: 'confirmed' as const,
      });
      const later = completion('op-1~2', 'bank-a', '2026-03-02T00:00:00.000Z');
      await ledger.recordTaskCompletion(later);
      await ledger.recordTaskCompletion(completion('op-1~1', 'bank-a', '2026-03-01T00:00:00.000Z'));
      await ledger.recordTaskCompletion({ ...later, by: 'a retry', at: '2026-04-01T00:00:00.000Z' });
      await ledger.recordTaskCompletion(completion('op-2~1', 'bank-b', '2026-03-01T00:00:00.000Z'));
      assert.deepEqual(await ledger.taskCompletionsOf('bank-a'), [
        completion('op-1~1', 'bank-a', '2026-03-01T00:00:00.000Z'),
        later,
      ]);
      assert.deepEqual(
        (await ledger.taskCompletionsOf('bank-b')).map((c) => c.taskId),
        ['op-2~1'],
      );
      assert.deepEqual(await ledger.taskCompletionsOf('bank-c'), []);
    });

    it('keeps its data across reopening, and processes opening it at once migrate it once', async (t) => {
      const location = await backend.location(t);
      const opened = await Promise.all(
        Array.from({ length: 3 }, () =>
          run(process.execPath, ['--import', 'tsx', OPENER, JSON.stringify(location)]),
        ),
      );
      assert.deepEqual(
        opened.map((o) => o.stdout.trim()),
        ['opened', 'opened', 'opened'],
      );
      const ledger = await openLedger(location);
      t.after(() => ledger.close());
      assert.deepEqual(await ledger.usersOf('bank-a'), [{ guid: 'u1', email: 'amy@example.com' }]);
    });
  });
}

void it('keeps the rotations of a ledger written before rotations were keyed by their new application', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'provisioner-old-ledger-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'ledger.sqlite');
  const old = new Database(file);
  old.exec(`CREATE TABLE rotations (bank_guid text not null, workflow_id text not null, rotated_at text not null,
    previous_client_id text not null, client_id text not null, constraint rotations_pkey primary key (bank_guid, workflow_id))`);
  old
    .prepare('INSERT INTO rotations VALUES (?, ?, ?, ?, ?)')
    .run('bank-a', 'bank-a', '2026-01-01T00:00:00.000Z', 'p', 'n');
  old.close();
  const ledger = await openLedger({ sqliteFile: file });
  t.after(() => ledger.close());
  await ledger.recordRotation('bank-a', rotation('bank-a', '2026-02-01T00:00:00.000Z'));
  assert.deepEqual(await ledger.rotationsOf('bank-a'), [
    { workflowId: 'bank-a', rotatedAt: '2026-01-01T00:00:00.000Z', previousClientId: 'p', clientId: 'n' },
    rotation('bank-a', '2026-02-01T00:00:00.000Z'),
  ]);
});

void it('an unreachable database is one line naming PROVISIONER_DATABASE_URL, without the password', async () => {
  const port = await freePort();
  await assert.rejects(
    openLedger({ databaseUrl: `postgres://u:hunter2@127.0.0.1:${port}/db`, sqliteFile: ':memory:' }),
    (err: unknown) => {
      assert.ok(err instanceof Error && err.name === 'ConfigError', String(err));
      assert.match(
        err.message,
        /^Invalid configuration: PROVISIONER_DATABASE_URL: the ledger database cannot be opened: .*ECONNREFUSED/,
      );
      assert.doesNotMatch(err.message, /hunter2|\n/);
      return true;
    },
  );
});
