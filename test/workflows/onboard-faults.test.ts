import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { failureMessage } from '../support/history.js';
import { assertSoleWorkingCredential, storedClientIds } from '../support/banks.js';
import { listBankApplications, listUsers } from '../support/idp.js';

describe('onboardBank on a faulty IdP', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld({ orphanGraceMs: 1_000 });
    await world.startWorker();
  });
  after(() => world.close());

  it('completes with exactly one application and one user per email when create responses are lost', async () => {
    world.sandbox.setFaults({ lostResponseRate: 0.5, seed: 42 });
    const results = [];
    try {
      for (let bank = 0; bank < 3; bank++) {
        const bankGuid = randomGuid();
        const emails = Array.from({ length: 6 }, (_, i) => `lost-${bank}-${i}@example.com`);
        const handle = await world.client.startOnboarding({
          bankGuid,
          users: emails.map((email) => ({ email })),
        });
        results.push({ bankGuid, emails, result: await handle.result() });
      }
    } finally {
      world.sandbox.setFaults({ lostResponseRate: 0 });
    }
    const allUsers = await listUsers(world);
    for (const { bankGuid, emails, result } of results) {
      const apps = await listBankApplications(world, bankGuid);
      assert.equal(apps.length, 1, `bank ${bankGuid} has ${apps.length} applications`);
      assert.equal(apps[0]!.client_id, result.application.clientId);
      const stored = await storedClientIds(world, bankGuid);
      assert.ok(stored.some((v) => v.clientId === apps[0]!.client_id && v.stage === 'current'));
      for (const email of emails) {
        assert.equal(
          allUsers.filter((u) => u.email === email).length,
          1,
          `${email} is not there exactly once`,
        );
      }
      assert.equal(new Set(result.users.map((u) => u.guid)).size, emails.length);
    }
  });

  it('retries through 5xx and 429 answers', async () => {
    world.sandbox.setFaults({ errorRate: 0.2, throttleRate: 0.2, seed: 7 });
    try {
      const bankGuid = randomGuid();
      const handle = await world.client.startOnboarding({
        bankGuid,
        users: [{ email: 'flaky@example.com' }],
      });
      const result = await handle.result();
      assert.equal(result.users.length, 1);
      // Retries show as activity attempts whose last failure carries the status and the IdP's message_code.
      const history = await handle.fetchHistory();
      const retries = (history.events ?? [])
        .map((e) => e.activityTaskStartedEventAttributes)
        .filter((started) => (started?.attempt ?? 1) > 1);
      assert.ok(retries.length > 0, 'no activity was retried: the faults were not exercised');
      for (const started of retries) {
        const message = await failureMessage(started!.lastFailure!, world.deps.dataConverter);
        assert.match(message, /failed: (429 too_many_requests|50[023] internal_server_error)/);
      }
    } finally {
      world.sandbox.setFaults({ errorRate: 0, throttleRate: 0 });
    }
  });

  it('converges on one application when two copies create at the same moment', async () => {
    // Two workflows for one bank (the client would refuse the second; these bypass it) race through
    // find-or-create; the IdP's latency makes both find nothing and both create.
    world.sandbox.setFaults({ latencyMs: 150 });
    const bankGuid = randomGuid();
    try {
      const start = (copy: number) =>
        world.client.client.workflow.start('onboardBank', {
          workflowId: `twin-${copy}-${bankGuid}`,
          taskQueue: world.taskQueue,
          args: [{ bankGuid }],
        });
      const handles = await Promise.all([start(1), start(2)]);
      const results = (await Promise.all(handles.map((h) => h.result()))) as {
        application: { clientId: string };
      }[];
      assert.equal(results[0]!.application.clientId, results[1]!.application.clientId);
      await assertSoleWorkingCredential(world, bankGuid, results[0]!.application.clientId);
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
  });
});
