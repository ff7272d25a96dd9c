/**
 * Workflow branches that take long or are hard to reach for real, on the time-skipping test server with
 * stubbed activities: the rotation's 24 h default grace period, the scheduled rotation skipped while the bank
 * is busy, and onboarding's compensation after a failed verification.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bankWorkflowId, type OnboardBankInput } from '../../src/model/contract.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import type { onboardBank, rotateBankCredentials, scheduledRotation } from '../../src/workflows/index.js';
import {
  dataConverter,
  rotationActivities,
  startTimeSkippingEnvironment,
  stubCredential,
  stubActivities,
  withWorker,
} from '../support/time-skipping.js';

const HOUR_MS = 3_600_000;
const newGuid = () => randomBytes(16).toString('hex');
const rotationStubs = () => stubActivities(rotationActivities);

describe('workflows on the time-skipping test server, activities stubbed', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await startTimeSkippingEnvironment()));
  after(() => env?.teardown());

  const startRotation = (taskQueue: string, bankGuid: string) =>
    env.client.workflow.start<typeof rotateBankCredentials>('rotateBankCredentials', {
      taskQueue,
      workflowId: bankWorkflowId(bankGuid),
      args: [{ bankGuid }],
    });
  const onboard = (taskQueue: string, input: OnboardBankInput) =>
    env.client.workflow.execute<typeof onboardBank>('onboardBank', {
      taskQueue,
      workflowId: bankWorkflowId(input.bankGuid),
      args: [input],
    });

  it('rotateBankCredentials waits the default grace period of 24 hours, then deletes the previous application', async () => {
    const stubs = rotationStubs();
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const handle = await startRotation(taskQueue, newGuid());
      const result = await handle.result();
      const waited = Date.parse(result.rotatedAt) - (await handle.describe()).startTime.getTime();
      assert.equal(result.completedBy, 'grace-period');
      assert.ok(waited >= 24 * HOUR_MS && waited < 25 * HOUR_MS, `waited ${waited / HOUR_MS} h`);
      assert.deepEqual(stubs.names(), [
        'currentBankCredential',
        'createPendingBankApplication',
        'verifyBankCredential',
        'promoteBankCredential',
        'removeBankApplication',
        'revokeStoredCredentials',
        'recordRotation',
      ]);
      assert.deepEqual(stubs.calls[4], { name: 'removeBankApplication', input: { clientId: 'old' } });
    });
  });

  it('waits a grace period written as the contract allows and the SDK would not read (a vertical tab)', async () => {
    const stubs = rotationStubs();
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const bankGuid = newGuid();
      const handle = await env.client.workflow.start<typeof rotateBankCredentials>('rotateBankCredentials', {
        taskQueue,
        workflowId: bankWorkflowId(bankGuid),
        args: [{ bankGuid, gracePeriod: '1.5\u000bh' }],
      });
      const result = await handle.result();
      const waited = Date.parse(result.rotatedAt) - (await handle.describe()).startTime.getTime();
      assert.ok(waited >= 1.5 * HOUR_MS && waited < 2 * HOUR_MS, `waited ${waited / HOUR_MS} h`);
    });
  });

  it('scheduledRotation ends as skipped while another operation holds the bank', async () => {
    const stubs = rotationStubs();
    await withWorker(env, stubs.activities, async (taskQueue) => {
      const bankGuid = newGuid();
      const busy = await startRotation(taskQueue, bankGuid);
      while (!(await busy.query(statusQuery)).step.startsWith('waiting')) await sleep(20);

      // A client that does not skip time while it waits, so the busy rotation keeps waiting meanwhile.
      const realTime = new Client({ connection: env.connection, namespace: env.namespace, dataConverter });
      const outcome = await realTime.workflow.execute<typeof scheduledRotation>('scheduledRotation', {
        taskQueue,
        workflowId: `scheduled-rotation-${bankGuid}`,
        args: [{ bankGuid }],
      });
      assert.deepEqual(outcome, {
        outcome: 'skipped',
        reason: `another operation on bank ${bankGuid} is in progress`,
      });
      assert.equal(stubs.names().filter((name) => name === 'currentBankCredential').length, 1);

      await busy.cancel();
      await assert.rejects(
        busy.result(),
        (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      );
    });
  });

  describe('onboardBank after a failed verification', () => {
    const refused = () =>
      Promise.reject(
        ApplicationFailure.nonRetryable(
          'Credential was not granted customers:write',
          'CredentialVerificationFailed',
        ),
      );
    // Verification is an activity: its non-retryable failure is the cause of the activity's failure.
    const failsVerification = (err: unknown) =>
      err instanceof WorkflowFailedError &&
      err.cause instanceof ActivityFailure &&
      err.cause.cause instanceof ApplicationFailure &&
      err.cause.cause.type === 'CredentialVerificationFailed';

    it('deletes the application this run created and revokes its secret, and provisions no user', async () => {
      const stubs = stubActivities({
        ensureBankApplication: () => Promise.resolve(stubCredential('fresh', true)),
        verifyBankCredential: refused,
        removeBankApplication: () => Promise.resolve(),
        revokeStoredCredentials: () => Promise.resolve(['1']),
      });
      const bankGuid = newGuid();
      await withWorker(env, stubs.activities, (taskQueue) =>
        assert.rejects(
          onboard(taskQueue, { bankGuid, users: [{ email: 'never@example.com' }] }),
          failsVerification,
        ),
      );
      assert.deepEqual(stubs.calls.slice(2), [
        { name: 'removeBankApplication', input: { clientId: 'fresh' } },
        { name: 'revokeStoredCredentials', input: { bankGuid, clientIds: ['fresh'] } },
      ]);
    });

    it('keeps an application an earlier run created', async () => {
      const stubs = stubActivities({
        ensureBankApplication: () => Promise.resolve(stubCredential('earlier', false)),
        verifyBankCredential: refused,
      });
      await withWorker(env, stubs.activities, (taskQueue) =>
        assert.rejects(onboard(taskQueue, { bankGuid: newGuid() }), failsVerification),
      );
      assert.deepEqual(stubs.names(), ['ensureBankApplication', 'verifyBankCredential']);
    });
  });
});
