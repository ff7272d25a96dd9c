/**
 * Tasks for a person over days, in seconds: the time-skipping test server with stubbed activities shows
 * the reminders, the deadline (TaskExpired naming what was left undone), a per-operation deadline and
 * reminder, the backoff of the checks that read the IdP, and a cancelled operation closing its task.
 */
import { activityInfo } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Activities } from '../../src/activities/index.js';
import {
  bankWorkflowId,
  disableUsersWorkflowId,
  type DisableUsersInput,
  type OnboardBankInput,
} from '../../src/model/contract.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { TASK_EXPIRED } from '../../src/model/workflow-safe/tasks.js';
import type {
  disableUsers,
  onboardBank,
  revokeBankCredentials,
  rotateBankCredentials,
} from '../../src/workflows/index.js';
import { randomGuid } from '../support/ids.js';
import {
  rotationActivities,
  startTimeSkippingEnvironment,
  stubActivities,
  stubCredential,
  withWorker,
} from '../support/time-skipping.js';

const DAY_MS = 86_400_000;

/** The operation failed with TaskExpired. */
const failedWithTaskExpired = (err: unknown) =>
  err instanceof WorkflowFailedError &&
  err.cause instanceof ApplicationFailure &&
  err.cause.type === TASK_EXPIRED;

/** Who writes: a person makes `byPerson`, the worker the rest. */
const writes =
  (...byPerson: string[]): Activities['writeAccess'] =>
  ({ operations }) =>
    Promise.resolve({
      decisions: operations.map((operation) => ({
        operation,
        mode: 'auto' as const,
        writer: byPerson.includes(operation) ? ('person' as const) : ('worker' as const),
        reason: 'stub',
      })),
      taskDeadlineMs: 7 * DAY_MS,
      taskReminderMs: DAY_MS,
    });

/** The webhook events the operation emitted, in order (each asks who subscribes first). */
const eventsOf = (stubs: ReturnType<typeof stubActivities>) =>
  stubs.calls.flatMap((call) => (call.name === 'webhookSubscriptionsFor' ? [call.input.type] : []));

const keyByPerson = (): Partial<Activities> => ({
  writeAccess: writes('createBankApplication', 'createUser'),
  prepareBankApiKeyTask: ({ bankGuid, name }) =>
    Promise.resolve({
      kind: 'ask' as const,
      values: { bankGuid, name, ipAllowlist: [], expiresAt: '2027-03-08T00:00:00.000Z' },
    }),
  webhookSubscriptionsFor: () => Promise.resolve([]),
});

describe('tasks for a person over days (time-skipping server, activities stubbed)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await startTimeSkippingEnvironment()));
  after(() => env?.teardown());

  const onboard = (taskQueue: string, input: OnboardBankInput) =>
    env.client.workflow.start<typeof onboardBank>('onboardBank', {
      taskQueue,
      workflowId: bankWorkflowId(input.bankGuid),
      args: [input],
    });

  it('reminds every 24 h, then at the 7 d deadline fails with TaskExpired naming what was left undone', async () => {
    const stubs = stubActivities(keyByPerson());
    const started = Date.now();
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const bankGuid = randomGuid();
      const handle = await onboard(taskQueue, { bankGuid });
      await assert.rejects(handle.result(), (err) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, TASK_EXPIRED);
        assert.match(err.cause.message, new RegExp(`create an API key for bank ${bankGuid} named exactly`));
        return true;
      });
      assert.deepEqual(eventsOf(stubs), [
        'task.requested',
        ...Array<string>(6).fill('task.reminder'),
        'task.expired',
        'bank.onboarding_failed',
      ]);
      const [task] = (await handle.query(statusQuery)).tasks ?? [];
      assert.equal(task?.state, 'expired');
      assert.equal(task?.remindersSent, 6);
      assert.equal(Date.parse(task.deadline) - Date.parse(task.requestedAt), 7 * DAY_MS);
    });
    assert.ok(Date.now() - started < 60_000, 'seven days in well under a minute');
  });

  it('takes the operation’s own deadline and reminder interval', async () => {
    const stubs = stubActivities(keyByPerson());
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const handle = await onboard(taskQueue, {
        bankGuid: randomGuid(),
        tasks: { deadline: '2d', reminder: '12h' },
      });
      await assert.rejects(handle.result(), failedWithTaskExpired);
      assert.equal(eventsOf(stubs).filter((type) => type === 'task.reminder').length, 3);
    });
  });

  it('checks invited users with a backoff that stays cheap over a week', async () => {
    const stubs = stubActivities({
      writeAccess: writes('createUser'),
      ensureBankApplication: () => Promise.resolve(stubCredential('key', true)),
      verifyBankCredential: () => Promise.resolve({ grantedScopes: [] }),
      findInvitedUsers: ({ users }) =>
        Promise.resolve({ found: [], missing: users.map(({ email }) => ({ email, problem: 'not listed' })) }),
      webhookSubscriptionsFor: () => Promise.resolve([]),
    });
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const handle = await onboard(taskQueue, {
        bankGuid: randomGuid(),
        users: [{ email: 'late@example.com' }],
      });
      await assert.rejects(
        handle.result(),
        (err) =>
          err instanceof WorkflowFailedError &&
          err.cause instanceof ApplicationFailure &&
          err.cause.type === TASK_EXPIRED &&
          /invite 1 user.*late@example\.com.*last seen: 1 of 1 users not yet as asked/.test(
            err.cause.message,
          ),
      );
      const checks = stubs.names().filter((name) => name === 'findInvitedUsers').length;
      // 30 s, 1 m, 2 m, ... up to an hour apart: about 175 reads of the user list in 7 days.
      assert.ok(checks > 150 && checks < 200, `${checks} checks`);
    });
  });

  it('closes its task when the operation is cancelled', async () => {
    const stubs = stubActivities(keyByPerson());
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const handle = await onboard(taskQueue, { bankGuid: randomGuid() });
      while (!(await handle.query(statusQuery)).tasks?.length) await sleep(50);
      await handle.cancel();
      await assert.rejects(
        handle.result(),
        (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      );
      const [task] = (await handle.query(statusQuery)).tasks ?? [];
      assert.equal(task?.state, 'cancelled');
      assert.ok(!eventsOf(stubs).includes('task.expired'));
    });
  });

  const disableByPerson = () => {
    const guid = randomGuid();
    return stubActivities({
      writeAccess: writes('disableUser'),
      resolveUsers: () => Promise.resolve([guid]),
      usersToDisable: () => Promise.resolve({ users: [{ email: 'gone@example.com', guid }], notFound: [] }),
      webhookSubscriptionsFor: () => Promise.resolve([]),
    });
  };
  const startDisabling = (taskQueue: string, input: DisableUsersInput) =>
    env.client.workflow.start<typeof disableUsers>('disableUsers', {
      taskQueue,
      workflowId: disableUsersWorkflowId(randomGuid()),
      args: [input],
    });

  it('a disable-users task nobody confirms: TaskExpired at the 7 d deadline, nothing reported disabled', async () => {
    const stubs = disableByPerson();
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const handle = await startDisabling(taskQueue, { users: ['gone@example.com'], reason: 'left' });
      await assert.rejects(handle.result(), (err) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, TASK_EXPIRED);
        assert.match(err.cause.message, /\(disable-users\).*disable 1 user: gone@example\.com/);
        return true;
      });
      assert.equal(stubs.names().includes('disableUserBatch'), false, 'the worker disabled nobody');
      assert.deepEqual(
        eventsOf(stubs).filter((type) => type !== 'task.reminder'),
        ['task.requested', 'task.expired', 'users.disabling_failed'],
      );
    });
  });

  it('a disableUsers takes its own deadline and reminder interval', async () => {
    const stubs = disableByPerson();
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const handle = await startDisabling(taskQueue, {
        users: ['gone@example.com'],
        reason: 'left',
        tasks: { deadline: '36h', reminder: '6h' },
      });
      await assert.rejects(handle.result(), failedWithTaskExpired);
      const [task] = (await handle.query(statusQuery)).tasks ?? [];
      assert.equal(Date.parse(task!.deadline) - Date.parse(task!.requestedAt), 1.5 * DAY_MS);
      assert.equal(task?.remindersSent, 5);
    });
  });

  it('a delete-bank-api-key task nobody does: the secret revoked at once, TaskExpired at the 7 d deadline', async () => {
    const stubs = stubActivities({
      writeAccess: writes('deleteBankApplication'),
      bankApiKeys: () => Promise.resolve([{ clientId: 'leaked', guid: 'g-leaked', name: 'bank key' }]),
      revokeStoredCredentials: () => Promise.resolve(['1']),
      checkBankApiKeyGone: () => Promise.resolve({ problem: 'still listed' }),
      webhookSubscriptionsFor: () => Promise.resolve([]),
    });
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const bankGuid = randomGuid();
      const handle = await env.client.workflow.start<typeof revokeBankCredentials>('revokeBankCredentials', {
        taskQueue,
        workflowId: bankWorkflowId(bankGuid),
        args: [{ bankGuid, reason: 'leaked' }],
      });
      await assert.rejects(handle.result(), (err) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, TASK_EXPIRED);
        assert.match(
          err.cause.message,
          /\(delete-bank-api-key\).*API key "bank key" \(client id leaked.*last seen: still listed/,
        );
        return true;
      });
      const names = stubs.names();
      assert.ok(names.indexOf('revokeStoredCredentials') < names.indexOf('checkBankApiKeyGone'));
      assert.equal(names.includes('removeBankApplication'), false, 'the worker deleted nothing');
      assert.deepEqual(
        eventsOf(stubs).filter((type) => type.startsWith('task.') && type !== 'task.reminder'),
        ['task.requested', 'task.expired'],
      );
    });
  });

  it("a rotation's create-bank-api-key reminders come more often as the current key's expiry nears", async () => {
    const stubs = stubActivities({
      ...rotationActivities,
      writeAccess: writes('createBankApplication', 'deleteBankApplication'),
      prepareRotationKeyTask: ({ bankGuid, name }) =>
        Promise.resolve({
          values: { bankGuid, name, ipAllowlist: [], expiresAt: '2027-03-08T00:00:00.000Z' },
          // The server's time, skipped ahead by the tests before: two days from the step's own start.
          currentKeyExpiresAt: new Date(activityInfo().scheduledTimestampMs + 2 * DAY_MS).toISOString(),
        }),
      // Reminders only are delivered, to one receiver: what their bodies say.
      webhookSubscriptionsFor: ({ type }) =>
        Promise.resolve(type === 'task.reminder' ? [{ id: 'receiver', host: 'example.com' }] : []),
      deliverWebhook: () => Promise.resolve({ delivered: true as const, status: 204 }),
    });
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const bankGuid = randomGuid();
      const handle = await env.client.workflow.start<typeof rotateBankCredentials>('rotateBankCredentials', {
        taskQueue,
        workflowId: bankWorkflowId(bankGuid),
        args: [{ bankGuid, tasks: { deadline: '3d' } }],
      });
      await assert.rejects(handle.result(), failedWithTaskExpired);
      // Every 24 h would be 2 in 3 days; at most a quarter of the time left (at least an hour apart) is
      // 12 h, 9 h, about 7 h, ... then hourly from 4 h before the expiry on: about 40.
      // Each reminder delivered once (the delivery workflow asks for subscribers too: eventsOf counts twice).
      const bodies = stubs.calls.flatMap((call) =>
        call.name === 'deliverWebhook' ? [call.input.event] : [],
      );
      assert.ok(bodies.length > 30 && bodies.length < 50, `${bodies.length} reminders`);
      // 36 h left, less the moments between the step that read the expiry and the task's opening.
      assert.match(String(bodies[0]!.data.currentKeyExpiresIn), /^1 day 1[12] hours$/, 'the first, 12 h in');
      assert.equal(bodies.at(-1)!.data.currentKeyExpiresIn, 'expired');
      assert.equal(stubs.names().includes('createPendingBankApplication'), false);
    });
  });
});
