/**
 * Operations queried while they start, then queried again once finished (a query of a finished workflow
 * replays its whole history). A query that splits the first workflow task used to leave a patch asked right
 * after the input check (a local activity) replaying as absent: a nondeterminism error on every later replay.
 * Such patches are now asked at the run's start (patchedAtStart), before the local activity's marker; so is
 * the patch of webhook events, whose failure event follows the input check of a refused input.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';

/** The names of the patches and local activities in a history, in order. */
async function markers(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return events!.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (!marker) return [];
    if (marker.markerName !== 'core_patch') return [marker.markerName!];
    const data = marker.details!['patch-data']!.payloads![0]!.data!;
    return [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id];
  });
}

describe('operations queried while they start, then after they finish', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world?.close());

  it('answer every query, the finished ones replayed from history', async () => {
    world.sandbox.setFaults({ latencyMs: 100 });
    try {
      const handles = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const bankGuid = randomGuid();
          const handle = await world.client.startOnboarding({
            bankGuid,
            users: [{ email: `q-${bankGuid.slice(0, 8)}@example.com` }],
          });
          // Queried at once and often, as an operator's `status` may: queries split workflow tasks.
          for (let i = 0; i < 100 && (await handle.query(statusQuery)).step === 'starting'; i++)
            await sleep(10);
          await handle.result();
          return handle;
        }),
      );
      for (const handle of handles) assert.equal((await handle.query(statusQuery)).step, 'done');
      assert.deepEqual((await markers(handles[0]!)).slice(0, 5), [
        'local-short-steps',
        'durable-steps',
        'webhook-events',
        'writes-by-people',
        'core_local_activity',
      ]);
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
  });

  it('a revocation asks who deletes the keys before its input check', async () => {
    const handle = await world.client.startRevocation({ bankGuid: randomGuid(), reason: 'query test' });
    await handle.result();
    assert.deepEqual((await markers(handle)).slice(0, 5), [
      'local-short-steps',
      'durable-steps',
      'webhook-events',
      'key-deletes-by-people',
      'core_local_activity',
    ]);
    assert.equal((await handle.query(statusQuery)).step, 'done');
  });

  it('operations refused at their input check, queried while they start, answer once failed too', async () => {
    const handles = await Promise.all(
      Array.from({ length: 8 }, async () => {
        // Past the client's own check: the workflow's input check refuses it (a blank reason).
        const handle = await world.client.client.workflow.start('revokeBankCredentials', {
          taskQueue: world.taskQueue,
          workflowId: `bank-${randomGuid()}`,
          args: [{ bankGuid: randomGuid(), reason: ' ' }],
        });
        for (let i = 0; i < 20; i++) {
          await handle.query(statusQuery).catch(() => undefined);
          await sleep(5);
        }
        await assert.rejects(handle.result(), WorkflowFailedError);
        return handle;
      }),
    );
    for (const handle of handles)
      assert.equal((await handle.query(statusQuery)).operation, 'revokeBankCredentials');
  });
});
