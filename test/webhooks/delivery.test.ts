/**
 * Webhook delivery on the time-skipping test server with the real delivery activity, ledger and secret
 * store, and a real receiver over HTTP: a receiver that answers 500 for its first minute gets the event
 * afterwards, once, validly signed; one that never recovers is given up after the delivery window.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { webhookActivities } from '../../src/activities/webhooks.js';
import { openLedger, type ProvisioningLedger } from '../../src/ledger/index.js';
import { webhookDeliveryWorkflowId } from '../../src/model/workflow-safe/operations.js';
import type { WebhookEvent } from '../../src/model/webhook-event-schemas.js';
import { openLocalSecretStore, type SecretStore } from '../../src/secrets/index.js';
import { addWebhookSubscription, removeWebhookSubscription } from '../../src/webhooks/subscriptions.js';
import type { deliverWebhookEvent } from '../../src/workflows/index.js';
import { randomGuid } from '../support/env.js';
import { keyEntry } from '../support/stores.js';
import { rootCause } from '../../src/model/workflow-safe/failure.js';
import { startTimeSkippingEnvironment, withWorker } from '../support/time-skipping.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The test server's (skipped) time of the attempt. */
  at: number;
  answered: number;
}

/** A receiver over real HTTP that answers what `answer` says for the time the test server reports. */
async function startReceiver(env: TestWorkflowEnvironment, answer: (elapsedMs: number) => number) {
  const received: Received[] = [];
  const startedAt = await env.currentTimeMs();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void env.currentTimeMs().then((now) => {
        const status = answer(now - startedAt);
        received.push({ headers: request.headers, body, at: now - startedAt, answered: status });
        response.writeHead(status).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('webhook delivery (time-skipping server, real activity, stores and receiver)', () => {
  let env: TestWorkflowEnvironment;
  let ledger: ProvisioningLedger;
  let secrets: SecretStore;
  let dir: string;
  before(async () => {
    env = await startTimeSkippingEnvironment();
    dir = await mkdtemp(join(tmpdir(), 'provisioner-webhooks-'));
    ledger = await openLedger({ sqliteFile: join(dir, 'ledger.sqlite') });
    secrets = await openLocalSecretStore({ directory: join(dir, 'secrets'), keys: keyEntry('k1') });
  });
  after(async () => {
    await ledger?.close();
    await secrets?.close();
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  const event = (type: WebhookEvent['type']): WebhookEvent => ({
    id: `evt_${randomGuid()}`,
    type,
    timestamp: new Date().toISOString(),
    data: { bankGuid: randomGuid(), result: { application: { secretRef: 'local:banks/x/credential' } } },
  });
  const deliver = (taskQueue: string, e: WebhookEvent) =>
    env.client.workflow.execute<typeof deliverWebhookEvent>('deliverWebhookEvent', {
      taskQueue,
      workflowId: webhookDeliveryWorkflowId(e.id),
      args: [e],
    });

  it('delivers to a receiver that answered 500 for its first minute: afterwards, once, validly signed', async () => {
    const receiver = await startReceiver(env, (elapsed) => (elapsed < 60_000 ? 500 : 204));
    const elsewhere = await startReceiver(env, () => 204);
    try {
      const stores = { ledger, secrets };
      const { subscription, secret } = await addWebhookSubscription(stores, {
        url: receiver.url,
        events: ['bank.onboarded'],
      });
      const other = await addWebhookSubscription(stores, { url: elsewhere.url, events: ['bank.offboarded'] });
      const removed = await addWebhookSubscription(stores, { url: elsewhere.url });
      await removeWebhookSubscription(stores, removed.subscription.id);
      const onboarded = event('bank.onboarded');

      const result = await withWorker(env, webhookActivities(stores), (taskQueue) =>
        deliver(taskQueue, onboarded),
      );

      assert.deepEqual(result, { delivered: [subscription.id], skipped: [] });
      const attempts = receiver.received;
      assert.ok(attempts.length >= 3, `${attempts.length} attempts`);
      assert.deepEqual(
        attempts.map((a) => a.answered),
        [...Array<number>(attempts.length - 1).fill(500), 204],
        'received once: every attempt before the last was refused',
      );
      assert.ok(
        attempts.at(-1)!.at >= 60_000 && attempts.at(-1)!.at < 5 * 60_000,
        `delivered at ${attempts.at(-1)!.at} ms`,
      );
      const verifier = new Webhook(secret);
      for (const attempt of attempts) {
        assert.equal(attempt.headers['webhook-id'], onboarded.id, 'the same id on every attempt');
        assert.deepEqual(
          verifier.verify(attempt.body, attempt.headers as Record<string, string>),
          onboarded,
          'signed with the subscription secret',
        );
      }
      assert.throws(
        () =>
          new Webhook(other.secret).verify(attempts[0]!.body, attempts[0]!.headers as Record<string, string>),
        /No matching signature/,
      );
      assert.deepEqual(elsewhere.received, [], 'subscriptions to other events, or removed, get nothing');
    } finally {
      await receiver.close();
      await elsewhere.close();
    }
  });

  it('gives up on a receiver that never recovers once the delivery window of 24 hours is over', async () => {
    const receiver = await startReceiver(env, () => 503);
    try {
      const stores = { ledger, secrets };
      for (const s of await ledger.webhookSubscriptions()) await removeWebhookSubscription(stores, s.id);
      const { subscription } = await addWebhookSubscription(stores, { url: receiver.url });
      const offboarded = event('bank.offboarded');
      await assert.rejects(
        withWorker(env, webhookActivities(stores), (taskQueue) => deliver(taskQueue, offboarded)),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.match(rootCause(err)!.message, new RegExp(`not delivered to ${subscription.id} within 24h`));
          return true;
        },
      );
      const last = receiver.received.at(-1)!.at;
      assert.ok(last > 20 * 3_600_000 && last <= 24 * 3_600_000, `last attempt at ${last / 3_600_000} h`);
    } finally {
      await receiver.close();
    }
  });
});
