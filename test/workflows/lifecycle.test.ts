import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { SecretRevoked } from '../../src/secrets/index.js';
import { currentCredential, mintsToken, onboardedBank } from '../support/banks.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications, listUsers } from '../support/idp.js';

describe('revocation, disabling users, offboarding, schedules, one operation per bank', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  const disabled = async (emails: string[]) =>
    (await listUsers(world)).filter((u) => emails.includes(u.email)).map((u) => Boolean(u.disabled_at));

  it('revokes every application of a bank, idempotently', async () => {
    const bank = await onboardedBank(world);
    const secret = await currentCredential(world, bank.bankGuid);
    for (let run = 0; run < 2; run++) {
      const result = await (
        await world.client.startRevocation({ bankGuid: bank.bankGuid, reason: 'test' })
      ).result();
      assert.deepEqual(result.revokedClientIds, run === 0 ? [bank.application.clientId] : []);
      assert.deepEqual(result.notFoundClientIds, []);
    }
    assert.equal((await listBankApplications(world, bank.bankGuid)).length, 0);
    assert.equal(await mintsToken(world, bank.application.clientId, secret.clientSecret), false);
    const versions = await world.deps.secrets.versions(bank.application.secretRef);
    assert.ok(versions.every((v) => v.stage === 'revoked'));
    await assert.rejects(world.deps.secrets.get(bank.application.secretRef), SecretRevoked);
  });

  it('revokes only the named application of the bank, never another bank’s', async () => {
    const bank = await onboardedBank(world);
    const other = await onboardedBank(world);
    const result = await (
      await world.client.startRevocation({
        bankGuid: bank.bankGuid,
        clientIds: [other.application.clientId],
        reason: 'wrong bank on purpose',
      })
    ).result();
    assert.deepEqual(result.revokedClientIds, [], 'reported revoked what it did not delete');
    assert.deepEqual(result.notFoundClientIds, [other.application.clientId]);
    assert.equal(
      (await listBankApplications(world, other.bankGuid)).length,
      1,
      'another bank lost its application',
    );
    assert.equal((await listBankApplications(world, bank.bankGuid)).length, 1);
  });

  it('disables users by email and guid, idempotently; an unknown email is a clear error', async () => {
    const emails = ['dis-1@example.com', 'dis-2@example.com'];
    const bank = await onboardedBank(world, emails);
    const byGuid = bank.users[1]!.guid;
    for (let run = 0; run < 2; run++) {
      const result = await (
        await world.client.startDisablingUsers({ users: [emails[0]!, byGuid], reason: 'test' })
      ).result();
      assert.equal(result.disabled.length, 2);
    }
    const unknownGuid = randomGuid();
    const withUnknown = await (
      await world.client.startDisablingUsers({ users: [byGuid, unknownGuid], reason: 'test' })
    ).result();
    assert.deepEqual(withUnknown, { disabled: [{ user: byGuid, guid: byGuid }], notFound: [unknownGuid] });
    assert.deepEqual(await disabled(emails), [true, true]);

    const handle = await world.client.startDisablingUsers({
      users: ['nobody@example.com', emails[0]!],
      reason: 'test',
    });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(describeFailure(err), /nobody@example\.com/);
      return true;
    });
  });

  it('disableUsers under a request id: a retried start finds the first one, running or finished', async () => {
    const bank = await onboardedBank(world, ['retried@example.com']);
    const input = { users: ['retried@example.com'], reason: 'test' };
    const requestId = `req-${randomGuid()}`;
    world.sandbox.setFaults({ latencyMs: 300 });
    let first;
    try {
      first = await world.client.startDisablingUsers(input, { requestId });
      const again = await world.client.startDisablingUsers(input, { requestId }); // while it runs
      assert.equal(again.workflowId, `disable-users-${requestId}`);
      assert.equal(again.firstExecutionRunId, first.firstExecutionRunId);
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
    const result = await first.result();
    const afterwards = await world.client.startDisablingUsers(input, { requestId }); // once finished
    assert.equal(afterwards.firstExecutionRunId, first.firstExecutionRunId);
    assert.deepEqual(await afterwards.result(), result);
    assert.deepEqual(result.disabled, [{ user: 'retried@example.com', guid: bank.users[0]!.guid }]);

    await assert.rejects(
      world.client.startDisablingUsers({ ...input, reason: 'something else' }, { requestId }),
      { name: 'RequestIdReusedError', message: new RegExp(`Request id ${requestId} was already used`) },
    );
    await assert.rejects(world.client.startDisablingUsers(input, { requestId: 'no spaces' }), {
      name: 'InvalidInputError',
      message: /^Invalid input: requestId: must be 1 to 128 letters/,
    });
  });

  it('offboards a bank: applications revoked, its users disabled, others untouched; twice is harmless', async () => {
    const emails = ['off-1@example.com', 'off-2@example.com'];
    const bank = await onboardedBank(world, emails);
    const bystander = await onboardedBank(world, ['bystander@example.com']);
    for (let run = 0; run < 2; run++) {
      const result = await (
        await world.client.startOffboarding({ bankGuid: bank.bankGuid, reason: 'contract ended' })
      ).result();
      assert.equal(result.disabledUserGuids.length, 2);
    }
    assert.equal((await listBankApplications(world, bank.bankGuid)).length, 0);
    assert.deepEqual(await disabled(emails), [true, true]);
    assert.deepEqual(await disabled(['bystander@example.com']), [false]);
    assert.equal((await listBankApplications(world, bystander.bankGuid)).length, 1);
  });

  it('rejects a rotation during an onboarding and during a revocation of the same bank', async () => {
    const bankGuid = randomGuid();
    world.sandbox.setFaults({ latencyMs: 200 });
    try {
      const onboarding = await world.client.startOnboarding({
        bankGuid,
        users: [{ email: 'mutex@example.com' }],
      });
      await assert.rejects(world.client.startRotation({ bankGuid }), {
        name: 'BankBusyError',
        message: /onboardBank/,
      });
      await onboarding.result();

      const revocation = await world.client.startRevocation({ bankGuid, reason: 'test' });
      await assert.rejects(world.client.startRotation({ bankGuid }), {
        name: 'BankBusyError',
        message: /revokeBankCredentials/,
      });
      await revocation.result();
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
  });

  it('runs a rotation from a Schedule triggered once', async () => {
    const bank = await onboardedBank(world);
    const { scheduleId, created } = await world.client.scheduleRotation(bank.bankGuid, '90d', '1s');
    assert.equal(created, true);
    assert.equal((await world.client.scheduleRotation(bank.bankGuid, '30d', '1s')).created, false);
    const schedule = await world.client.rotationSchedule(bank.bankGuid);
    assert.ok(schedule?.nextRunAt, 'the schedule has no next run');
    const handle = world.client.client.schedule.getHandle(scheduleId);
    try {
      await handle.trigger();
      const deadline = Date.now() + 60_000;
      let current = await currentCredential(world, bank.bankGuid);
      while (current.clientId === bank.application.clientId) {
        assert.ok(Date.now() < deadline, 'the scheduled rotation did not happen');
        await sleep(200);
        current = await currentCredential(world, bank.bankGuid);
      }
      const rotation = world.client.client.workflow.getHandle(`bank-${bank.bankGuid}`);
      while ((await rotation.describe()).status.name === 'RUNNING') await sleep(200);
      assert.equal((await rotation.describe()).status.name, 'COMPLETED');
      const apps = await listBankApplications(world, bank.bankGuid);
      assert.deepEqual(
        apps.map((a) => a.client_id),
        [current.clientId],
      );
      assert.ok(await mintsToken(world, current.clientId, current.clientSecret));
    } finally {
      await handle.delete();
    }
  });

  it('answers the status query while running', async () => {
    world.sandbox.setFaults({ latencyMs: 200 });
    try {
      const bankGuid = randomGuid();
      const handle = await world.client.startOnboarding({
        bankGuid,
        users: [{ email: 'status-1@example.com' }, { email: 'status-2@example.com' }],
      });
      let status = await handle.query(statusQuery);
      while (status.step !== 'provisioning users') {
        assert.notEqual(status.step, 'done', 'the onboarding finished before it was seen provisioning users');
        await sleep(50);
        status = await handle.query(statusQuery);
      }
      // Asked after the query was answered: the workflow was still running when it answered.
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.equal(status.operation, 'onboardBank');
      assert.equal(status.bankGuid, bankGuid);
      assert.equal(status.users?.total, 2);
      assert.ok(status.application?.clientId, 'the status shows the application in hand');
      await handle.result();
      const final = await handle.query(statusQuery);
      assert.equal(final.step, 'done');
      assert.deepEqual(final.users, { done: 2, total: 2 });
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
  });
});
