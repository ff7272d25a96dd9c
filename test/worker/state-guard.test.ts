/**
 * Workers on one task queue must share their state. A second "host" (a worker process with its own state
 * directory) is refused while a worker with local state polls the queue, and the reverse; the same state
 * directory (a restart) is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../support/cli.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { tempDir } from '../support/stores.js';

describe('a worker with local state on a shared task queue', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
    // Its polls reach the server.
    for (let waited = 0; ; waited += 100) {
      const { pollers } = await world.connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: world.taskQueue },
      });
      if ((pollers ?? []).length > 0) break;
      assert.ok(waited < 10_000, 'the worker never polled');
      await sleep(100);
    }
  });
  after(() => world.close());

  it('refuses to start beside a worker with other state, naming the fix, and runs nothing', async (t) => {
    const run = await runCli(['worker'], {
      env: { ...process.env, ...world.env, PROVISIONER_STATE_DIR: await tempDir(t) },
    });
    assert.notEqual(run.code, 0);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `^provisioner: Task queue ${world.taskQueue} is polled by \\d+@\\S+ state=local-[0-9a-f]+ with other state`,
      ),
    );
    assert.match(
      lines[0]!,
      /This worker keeps secret store in .*, ledger in .*, payload key file .* on this host/,
    );
    assert.match(lines[0]!, /PROVISIONER_SECRET_STORE=aws, PROVISIONER_DATABASE_URL, PROVISIONER_CODEC_KEYS/);
  });

  it('starts again with its own state directory (a restart)', async () => {
    await world.stopWorker();
    await world.startWorker();
    const bank = await (await world.client.startOnboarding({ bankGuid: 'ab'.repeat(16) })).result();
    assert.equal(bank.verified, true);
  });
});
