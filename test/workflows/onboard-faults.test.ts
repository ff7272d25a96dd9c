import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { failureMessage } from '../support/history.js';
import { assertSoleWorkingCredential, storedClientIds, storedInvite } from '../support/banks.js';
import { listBankApplications, listUsers, sandboxStats } from '../support/idp.js';
import type { SandboxFaults } from '../../src/dev/sandbox/index.js';
import type { OnboardBankResult, ProvisionedUser } from '../../src/model/contract.js';

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

  /** Onboards `count` new users under `faults`; returns the result and what the sandbox saw meanwhile. */
  const onboardUnder = async (faults: Partial<SandboxFaults>, count: number) => {
    const bankGuid = randomGuid();
    const emails = Array.from({ length: count }, (_, i) => `${bankGuid.slice(0, 8)}-${i}@example.com`);
    const before = await sandboxStats(world);
    world.sandbox.setFaults(faults);
    try {
      const handle = await world.client.startOnboarding({
        bankGuid,
        users: emails.map((email) => ({ email })),
      });
      const result = await handle.result();
      const after = await sandboxStats(world);
      return {
        handle,
        result,
        emails,
        requests: after.requests - before.requests,
        lost: after.lostResponses.slice(before.lostResponses.length),
      };
    } finally {
      world.sandbox.setFaults({ errorRate: 0, throttleRate: 0, lostResponseRate: 0 });
    }
  };

  /** Each email exists once in the IdP, under the guid the result reports. */
  const assertCreatedOnce = async (result: OnboardBankResult, emails: string[]) => {
    const all = await listUsers(world);
    for (const email of emails) {
      const matches = all.filter((u) => u.email === email);
      assert.equal(matches.length, 1, `${email} is not there exactly once`);
      assert.equal(result.users.find((u) => u.email === email)?.guid, matches[0]!.guid);
    }
  };

  /** An inviteRef resolves to the invite URL stored for that user. */
  const assertInviteResolves = async (user: ProvisionedUser) => {
    assert.ok(user.inviteRef, `${user.email} has no inviteRef`);
    const invite = await storedInvite(world, user.inviteRef);
    assert.match(invite.inviteUrl, /^https:\/\/id\.sandbox\.cybrid\.app\/invite\//);
    assert.equal(invite.email, user.email);
    assert.equal(invite.userGuid, user.guid);
  };

  it('at 20% 5xx and 10% 429, reports every user created with an invite that resolves, resuming progress', async () => {
    const { handle, result, emails, requests } = await onboardUnder(
      { errorRate: 0.2, throttleRate: 0.1, seed: 7 },
      150,
    );
    assert.equal(result.users.length, 150);
    assert.ok(
      result.users.every((u) => u.created),
      'a user this run created is reported as already there',
    );
    await Promise.all(result.users.map(assertInviteResolves));
    await assertCreatedOnce(result, emails);
    // Finished users are not tried again: far fewer than 2 requests per user although 30% of them fail.
    assert.ok(requests < 2 * emails.length, `${requests} IdP requests for ${emails.length} users`);

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
  });

  it('with lost responses too, only the users whose create answer was lost are created: false', async () => {
    const { result, emails, lost } = await onboardUnder(
      { errorRate: 0.2, throttleRate: 0.1, lostResponseRate: 0.1, seed: 11 },
      150,
    );
    const lostCreates = lost
      .filter((l) => l.method === 'POST' && l.path === '/api/users')
      .map((l) => l.email);
    assert.ok(lostCreates.length > 0, 'no create answer was lost: the fault was not exercised');
    assert.equal(result.users.length, 150);
    assert.deepEqual(
      result.users
        .filter((u) => !u.created)
        .map((u) => u.email)
        .sort(),
      [...lostCreates].sort(),
    );
    await Promise.all(result.users.filter((u) => u.created).map(assertInviteResolves));
    await assertCreatedOnce(result, emails);
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
