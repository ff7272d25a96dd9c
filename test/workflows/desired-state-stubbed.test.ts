/**
 * The desired-state workflows' failure branches, with stubbed activities on the dev server: an apply meets
 * a busy bank and a bank it cannot reconcile and goes on with the others; a scheduled drift check meets a
 * busy bank, reports it, and hands its report to the event listener.
 */
import type { Client } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bankWorkflowId } from '../../src/model/contract.js';
import type { ObservedBank } from '../../src/model/plan.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { Manifest } from '../../src/model/manifest.js';
import type { applyManifest, driftCheck, rotateBankCredentials } from '../../src/workflows/index.js';
import { withStubWorker } from '../support/stub-worker.js';
import { rotationActivities, stubActivities } from '../support/time-skipping.js';

const newGuid = () => randomBytes(16).toString('hex');
const HOUR = 3_600_000;

/** A bank whose current credential `app-<guid>` exists, with `ipAllowlist` and optionally an expiry. */
const observedBank = (
  bankGuid: string,
  extra: { expiresAt?: string; unknownOnly?: boolean } = {},
): ObservedBank => {
  const app = {
    clientId: `app-${bankGuid}`,
    name: `bank-${bankGuid}`,
    ipAllowlist: ['203.0.114.7/32'],
    createdAt: new Date(Date.now() - 24 * HOUR).toISOString(),
    ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
  };
  return {
    bankGuid,
    applications: [app],
    // `unknownOnly`: the secret store knows no credential, so the application is someone else's.
    credentials: extra.unknownOnly
      ? []
      : [{ clientId: app.clientId, stage: 'current', applicationName: app.name, createdAt: app.createdAt }],
    recordedUsers: [],
  };
};

describe('desired-state workflows with stubbed activities', () => {
  /** Holds `bankGuid` with a rotation that waits for its 24 h grace period; returns it to cancel later. */
  const holdBank = async (client: Client, taskQueue: string, bankGuid: string) => {
    const busy = await client.workflow.start<typeof rotateBankCredentials>('rotateBankCredentials', {
      taskQueue,
      workflowId: bankWorkflowId(bankGuid),
      args: [{ bankGuid }],
    });
    while (!(await busy.query(statusQuery)).step.startsWith('waiting')) await sleep(20);
    return busy;
  };

  it('applyManifest reports a busy bank and one it cannot reconcile, and applies the others', async () => {
    const [ok, busy, foreign] = [newGuid(), newGuid(), newGuid()];
    const stubs = stubActivities({
      ...rotationActivities,
      observeBanks: ({ bankGuids }) =>
        Promise.resolve(bankGuids.map((guid) => observedBank(guid, { unknownOnly: guid === foreign }))),
      updateBankApplication: () => Promise.resolve(),
    });
    const manifest = Manifest.parse({
      name: 'time-skipping',
      banks: [ok, busy, foreign].map((bankGuid) => ({ bankGuid, application: { ipAllowlist: [] } })),
    });
    await withStubWorker(stubs.activities, async (taskQueue, client) => {
      const holder = await holdBank(client, taskQueue, busy);
      const result = await client.workflow.execute<typeof applyManifest>('applyManifest', {
        taskQueue,
        workflowId: `apply-${newGuid()}`,
        args: [{ manifest, concurrency: 2 }],
      });
      assert.deepEqual(result.summary, { applied: 1, busy: 1, failed: 1 });
      assert.deepEqual(result.banks[0], {
        bankGuid: ok,
        outcome: 'applied',
        actions: [
          {
            kind: 'update-application',
            by: 'worker',
            clientId: `app-${ok}`,
            ipAllowlist: { from: ['203.0.114.7/32'], to: [] },
          },
        ],
      });
      assert.deepEqual(result.banks[1], {
        bankGuid: busy,
        outcome: 'busy',
        error: `another operation on bank ${busy} is in progress`,
      });
      assert.equal(result.banks[2]!.outcome, 'failed');
      assert.match(
        result.banks[2]!.error!,
        /^ManifestProblem: Bank .* cannot be reconciled: .*secret store does not know/,
      );
      assert.deepEqual(
        stubs.calls.filter((c) => c.name === 'updateBankApplication').map((c) => c.input),
        [{ clientId: `app-${ok}`, ipAllowlist: [] }],
      );
      await holder.cancel();
    });
  });

  it('a scheduled driftCheck reports a busy bank it could not rotate, and sends its report as a drift.detected event', async () => {
    const [due, busy] = [newGuid(), newGuid()];
    const expiresAt = new Date(Date.now() + HOUR).toISOString();
    const stubs = stubActivities({
      ...rotationActivities,
      observeBanks: ({ bankGuids }) =>
        Promise.resolve(bankGuids.map((guid) => observedBank(guid, { expiresAt }))),
      observeOrganizationUsers: () => Promise.resolve({ users: [], unmanaged: { count: 0, sample: [] } }),
      webhookSubscriptionsFor: () => Promise.resolve([]),
    });
    const manifest = Manifest.parse({
      name: 'time-skipping-drift',
      banks: [due, busy].map((bankGuid) => ({
        bankGuid,
        rotation: { beforeExpiry: '2h', gracePeriod: '1s' },
      })),
      drift: { every: '1h' },
    });
    await withStubWorker(stubs.activities, async (taskQueue, client) => {
      const holder = await holdBank(client, taskQueue, busy);
      const report = await client.workflow.execute<typeof driftCheck>('driftCheck', {
        taskQueue,
        workflowId: `drift-${newGuid()}`,
        args: [{ manifest, act: true }],
      });
      assert.deepEqual(report.followUps, [
        {
          bankGuid: due,
          workflowType: 'rotateBankCredentials',
          workflowId: bankWorkflowId(due),
          outcome: 'started',
        },
        {
          bankGuid: busy,
          workflowType: 'rotateBankCredentials',
          workflowId: bankWorkflowId(busy),
          outcome: 'busy',
        },
      ]);
      assert.equal(report.summary.byKind['credential-expiring'], 2);
      // Sending the event starts by asking who subscribes to drift.detected (nobody, here).
      const askedFor = () =>
        stubs.calls.filter((c) => c.name === 'webhookSubscriptionsFor').map((c) => c.input.type);
      for (let tries = 0; tries < 100 && !askedFor().includes('drift.detected'); tries++) await sleep(100);
      assert.ok(askedFor().includes('drift.detected'), askedFor().join(', '));
      // And before it, of each credential within its window: credential.expiring, once per check.
      assert.equal(askedFor().filter((type) => type === 'credential.expiring').length, 2);
      await holder.cancel();
    });
  });
});
