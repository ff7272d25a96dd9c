/**
 * A worker killed again and again while onboarding's first IdP step retries against a failing IdP: the
 * step's attempts are kept by the server, not by the dying worker, so each kill costs nothing done before it,
 * no workflow task is lost with a worker, and the onboarding finishes soon after the IdP recovers (a workflow
 * task lost again and again would make the server back off the workflow's next task for minutes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { failureMessage } from '../support/history.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { startWorkerProcess } from '../support/worker-process.js';

const KILLS = 4;
/** Onboarding's first step that calls the IdP: who makes the writes (it reads the token's grant). */
const FIRST_IDP_STEP = 'writeAccess';
const { TimeoutType } = proto.temporal.api.enums.v1;

/**
 * How many attempts of the first IdP step have failed, as the server keeps count while the step waits for
 * its next attempt (the pending activity's `attempt` is that next one).
 */
async function failedStepAttempts(handle: WorkflowHandle): Promise<number | undefined> {
  const { raw } = await handle.describe();
  const step = raw.pendingActivities?.find((a) => a.activityType?.name === FIRST_IDP_STEP);
  return step?.lastFailure && step.attempt ? step.attempt - 1 : undefined;
}

describe('onboardBank with the worker killed while its first IdP step retries', () => {
  let world: TestWorld;
  before(async () => (world = await createTestWorld()));
  after(() => world.close());

  it('keeps every attempt across the kills and finishes within a minute of the IdP recovering', async () => {
    world.sandbox.setFaults({ errorRate: 1 });
    let worker = await startWorkerProcess(world);
    try {
      const handle = await world.client.startOnboarding({
        bankGuid: randomGuid(),
        users: [{ email: `kill-${randomGuid().slice(0, 8)}@example.com` }],
      });
      const failedBeforeKills: number[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        // Kill once an attempt has failed since the last kill: the step is waiting for its retry.
        const waitUntil = Date.now() + 60_000;
        for (;;) {
          assert.ok(Date.now() < waitUntil, 'the step waits for no retry that the server keeps');
          const failed = await failedStepAttempts(handle);
          if (failed !== undefined && failed > (failedBeforeKills.at(-1) ?? 0)) {
            failedBeforeKills.push(failed);
            break;
          }
          await sleep(100);
        }
        worker.child.kill('SIGKILL');
        await worker.done;
        worker = await startWorkerProcess(world);
      }
      world.sandbox.setFaults({ errorRate: 0 });
      const recovered = Date.now();
      const result = await handle.result();
      const tookMs = Date.now() - recovered;
      console.log(
        `attempts failed before each kill (counted across kills): ${failedBeforeKills.join(', ')}; finished ${tookMs} ms after the IdP recovered`,
      );
      assert.ok(tookMs < 60_000, `finished ${tookMs} ms after the IdP recovered`);
      assert.equal(result.users.length, 1);

      const events = (await handle.fetchHistory()).events ?? [];
      // The step's one started event carries the attempt that succeeded and the failure of the one before.
      const scheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === FIRST_IDP_STEP,
      );
      assert.ok(scheduled, 'the step is an activity');
      const started = events.find(
        (e) =>
          e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() ===
          scheduled.eventId?.toString(),
      )?.activityTaskStartedEventAttributes;
      assert.ok(
        (started?.attempt ?? 0) > failedBeforeKills.at(-1)!,
        `attempt ${started?.attempt} succeeded; ${failedBeforeKills.at(-1)} had failed before the last kill`,
      );
      assert.equal(started?.lastFailure?.applicationFailureInfo?.type, 'IdpUnavailable');
      assert.match(
        await failureMessage(started.lastFailure, world.deps.dataConverter),
        / failed: 5\d\d internal_server_error/,
      );
      // The kills came between attempts: no workflow task was lost with a worker.
      const lostTasks = events.filter(
        (e) => e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
      );
      assert.equal(lostTasks.length, 0, 'workflow tasks timed out with a killed worker');
    } finally {
      world.sandbox.setFaults({ errorRate: 0 });
      worker.child.kill('SIGTERM');
      await worker.done;
    }
  });
});
