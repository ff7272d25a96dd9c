import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWorkerProcess } from '../support/worker-process.js';
import { storedInvite } from '../support/banks.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listUsers } from '../support/idp.js';

describe('onboardBank with the worker killed during its secret writes', () => {
  let world: TestWorld;
  before(async () => (world = await createTestWorld()));
  after(() => world.close());

  const secretsDir = () => join(world.stateDir, 'secrets');

  it('opens the store clean, reads every completed write, and reports each user honestly', async () => {
    let worker = await startWorkerProcess(world);
    const bankGuid = randomGuid();
    const emails = Array.from({ length: 300 }, (_, i) => `crash-${i}@example.com`);
    world.sandbox.setFaults({ latencyMs: 5 });
    const handle = await world.client.startOnboarding({
      bankGuid,
      users: emails.map((email) => ({ email })),
    });
    let leftBehind: string[] = [];
    try {
      // Kill it in the middle of the first batch's invite writes.
      while ((await readdir(secretsDir()).catch(() => [])).filter((f) => f.startsWith('users~')).length < 40)
        await sleep(5);
      worker.child.kill('SIGKILL');
      await worker.done;
      leftBehind = (await readdir(secretsDir())).filter((f) => !f.endsWith('.json'));
      worker = await startWorkerProcess(world); // opens the store: recovery runs
      assert.deepEqual(
        (await readdir(secretsDir())).filter((f) => !f.endsWith('.json')),
        [],
        'locks or scratch files left after the store opened',
      );
      world.sandbox.setFaults({ latencyMs: 0 });
      const result = await handle.result();
      console.log(
        `killed mid-batch; left behind: ${leftBehind.join(', ') || 'nothing'}; created: ${result.users.filter((u) => u.created).length} of ${result.users.length}`,
      );

      // Every completed write reads back, and belongs to a user reported created by this run.
      const invites = (await readdir(secretsDir())).filter((f) => f.startsWith('users~'));
      const refs = new Map(result.users.map((u) => [u.inviteRef, u]));
      for (const file of invites) {
        const ref = `local:${file.replace(/\.json$/, '').replaceAll('~', '/')}`;
        assert.ok(refs.get(ref)?.created, `${ref} is stored but not reported as created by this run`);
        assert.match(
          (await storedInvite(world, ref)).inviteUrl,
          /^https:\/\/id\.sandbox\.cybrid\.app\/invite\//,
        );
      }
      // created: false only for users whose invite URL died with the worker: at most the users in its two
      // lanes, 8 IdP calls and 8 users being stored.
      const notCreated = result.users.filter((u) => !u.created);
      assert.ok(notCreated.length <= 16, `${notCreated.length} users reported as already there`);
      assert.equal(invites.length, result.users.length - notCreated.length);
      const all = await listUsers(world);
      for (const email of emails) assert.equal(all.filter((u) => u.email === email).length, 1, email);
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
      worker.child.kill('SIGTERM');
      await worker.done;
    }
  });
});
