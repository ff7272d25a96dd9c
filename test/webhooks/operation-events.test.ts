/**
 * Operations send their events as they end, on the real dev server and sandbox, to a receiver over HTTP:
 * completed with the public result, waiting, failed with the failure (a cancellation too), each once.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { operationIdOf } from '../../src/model/workflow-safe/webhook-events.js';
import type { WebhookEvent } from '../../src/model/webhook-event-schemas.js';
import { addWebhookSubscription } from '../../src/webhooks/subscriptions.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';

describe('operations send webhook events as they end', () => {
  let world: TestWorld;
  let verifier: Webhook;
  const events: WebhookEvent[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      events.push(verifier.verify(body, request.headers as Record<string, string>) as WebhookEvent);
      response.writeHead(204).end();
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    world = await createTestWorld();
    await world.startWorker();
    const { secret } = await addWebhookSubscription(
      { ledger: world.deps.ledger, secrets: world.deps.secrets },
      { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
    );
    verifier = new Webhook(secret);
  });
  after(async () => {
    await world?.close();
    server.close();
  });

  const eventsOf = async (bankGuid: string, count: number) => {
    const mine = () => events.filter((e) => e.data.bankGuid === bankGuid);
    for (const deadline = Date.now() + 30_000; mine().length < count && Date.now() < deadline;)
      await sleep(50);
    await sleep(300); // and no more than that
    return mine();
  };

  it('sends bank.onboarded, then a cancelled rotation its waiting and failed events', async () => {
    const bankGuid = randomGuid();
    const onboarding = await world.client.startOnboarding({ bankGuid });
    const onboarded = await onboarding.result();
    const rotation = await world.client.startRotation({ bankGuid, gracePeriod: '1h' });
    while (!(await rotation.query(statusQuery)).step.startsWith('waiting')) await sleep(50);
    await rotation.cancel();

    const received = await eventsOf(bankGuid, 3);
    assert.deepEqual(
      received.map((e) => e.type),
      ['bank.onboarded', 'bank.credentials_rotation_waiting', 'bank.credentials_rotation_failed'],
    );
    const [first, waiting, failed] = received;
    assert.deepEqual(first!.data, {
      operationId: operationIdOf(onboarding.workflowId, onboarding.firstExecutionRunId),
      operation: 'onboardBank',
      workflowId: onboarding.workflowId,
      runId: onboarding.firstExecutionRunId,
      bankGuid,
      result: onboarded,
    });
    assert.equal(waiting!.data.runId, rotation.firstExecutionRunId);
    assert.equal((failed!.data.failure as { type: string }).type, 'Cancelled');
    assert.equal(new Set(received.map((e) => e.id)).size, 3, 'each event has its own id');
  });

  it('sends users.disabling_failed naming the failure', async () => {
    const bankGuid = randomGuid();
    const handle = await world.client.startDisablingUsers({
      users: ['nobody-at-all@example.com'],
      reason: 'test',
      bankGuid,
    });
    await assert.rejects(handle.result(), { name: 'WorkflowFailedError' });
    const [failed] = await eventsOf(bankGuid, 1);
    assert.equal(failed!.type, 'users.disabling_failed');
    assert.match((failed!.data.failure as { message: string }).message, /nobody-at-all@example\.com/);
  });
});

describe('an event nobody subscribes to', () => {
  it('starts no delivery workflow (the subscribed case is above)', async () => {
    const world = await createTestWorld();
    try {
      await world.startWorker();
      const handle = await world.client.startOnboarding({ bankGuid: randomGuid() });
      await handle.result();
      const { events } = await handle.fetchHistory();
      assert.ok(
        !events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes),
        'a delivery workflow was started',
      );
    } finally {
      await world.close();
    }
  });
});
