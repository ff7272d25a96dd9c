/**
 * Rotation before expiry, by the manifest's drift Schedule, on a real `provisioner worker` process with
 * Prometheus metrics: a credential that expires within its bank's window is rotated by the rotation
 * workflow when the schedule runs (triggered here rather than waited for), the old application is gone
 * afterwards, the bank's stored credential works throughout, the new one gets the renewal expiry, and the
 * check's report is in its result and in the worker's metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DesiredStateClient, parseManifest } from '../../src/client/desired-state.js';
import { bankWorkflowId, type RotateBankCredentialsResult } from '../../src/model/contract.js';
import type { rotateBankCredentials } from '../../src/workflows/index.js';
import type { DriftReport } from '../../src/model/drift-report.js';
import { driftScheduleId, type Manifest } from '../../src/model/manifest.js';
import { currentCredential, mintsToken } from '../support/banks.js';
import type { startCli } from '../support/cli.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { listBankApplications } from '../support/idp.js';
import { fleet, manifestOf } from '../support/manifests.js';
import { freePort } from '../support/ports.js';
import { startWorkerProcess } from '../support/worker-process.js';

const HOUR = 3_600_000;

describe('rotation before expiry, by the drift schedule', () => {
  let world: TestWorld;
  let worker: ReturnType<typeof startCli>;
  let desired: DesiredStateClient;
  let manifest: Manifest;
  let metricsUrl: string;

  before(async () => {
    const metrics = `127.0.0.1:${await freePort()}`;
    metricsUrl = `http://${metrics}/metrics`;
    world = await createTestWorld({ env: { PROVISIONER_METRICS_ADDRESS: metrics } });
    worker = await startWorkerProcess(world);
    desired = new DesiredStateClient(world.client);
    const [bank] = fleet(1, () => 1);
    manifest = parseManifest(
      manifestOf(
        [
          {
            ...bank!,
            // Expires in an hour: inside the two-hour window from the start.
            application: { ...bank!.application, expiresAt: new Date(Date.now() + HOUR).toISOString() },
            rotation: { beforeExpiry: '2h', gracePeriod: '2s' },
          },
        ],
        { drift: { every: '1h' } },
      ),
    );
  });
  after(async () => {
    await world.client.client.schedule
      .getHandle(driftScheduleId(manifest.name))
      .delete()
      .catch(() => undefined);
    worker.child.kill('SIGTERM');
    await worker.done;
    await world.close();
  });

  it('creates the credential with its expiry, and the drift schedule', async () => {
    const plan = await desired.plan(manifest);
    assert.deepEqual(
      plan.actions.map((a) => a.kind),
      ['schedule-drift'],
    );
    const handle = await desired.startApply(manifest, plan);
    assert.equal((await handle.result()).summary.applied, 1);
    await desired.applySchedules(manifest, plan);

    const { bankGuid } = manifest.banks[0]!;
    const [app] = await listBankApplications(world, bankGuid);
    const expiresAt = manifest.banks[0]!.application!.expiresAt!;
    assert.equal(Date.parse(app!.expires_at!), Date.parse(expiresAt));
    assert.equal((await currentCredential(world, bankGuid)).expiresAt, app!.expires_at);
    const next = await desired.plan(manifest);
    assert.deepEqual(
      next.banks[0]!.actions.map((a) => [a.kind, 'reason' in a ? a.reason : undefined]),
      [['rotate-credential', 'expiring']],
    );
    assert.deepEqual(next.actions, []);
  });

  it('the scheduled check rotates it; the stored credential works throughout; the old one is gone', async () => {
    const { bankGuid } = manifest.banks[0]!;
    const old = await currentCredential(world, bankGuid);
    const schedule = world.client.client.schedule.getHandle(driftScheduleId(manifest.name));
    await schedule.trigger();

    let rotation: RotateBankCredentialsResult | undefined;
    let checks = 0;
    while (!rotation) {
      const current = await currentCredential(world, bankGuid);
      assert.ok(
        await mintsToken(world, current.clientId, current.clientSecret),
        `${current.clientId} stopped working`,
      );
      checks++;
      const latest = await world.client.client.workflow
        .getHandle(bankWorkflowId(bankGuid))
        .describe()
        .catch(() => undefined);
      if (latest?.type === 'rotateBankCredentials' && latest.status.name === 'COMPLETED')
        rotation = await world.client.client.workflow
          .getHandle<typeof rotateBankCredentials>(bankWorkflowId(bankGuid))
          .result();
      else await sleep(100);
    }
    assert.ok(checks > 3, `the credential was checked only ${checks} times`);
    assert.equal(rotation.previousClientId, old.clientId);
    await assert.rejects(world.deps.activityDeps.idp.getBankApplication(old.clientId), { status: 404 });
    const apps = await listBankApplications(world, bankGuid);
    assert.deepEqual(
      apps.map((a) => a.client_id),
      [rotation.clientId],
    );
    // Renewed for twice the window: the one-hour lifetime is shorter.
    const renewed = Date.parse(apps[0]!.expires_at!) - Date.parse(rotation.rotatedAt);
    assert.ok(renewed > 3.9 * HOUR && renewed <= 4 * HOUR, `renewed for ${renewed / HOUR} h`);
    assert.deepEqual(apps[0]!.ip_allowlist, manifest.banks[0]!.application!.ipAllowlist);
    const fresh = await currentCredential(world, bankGuid);
    assert.equal(fresh.clientId, rotation.clientId);
    assert.equal(fresh.expiresAt, apps[0]!.expires_at);

    const { recentActions } = (await schedule.describe()).info;
    const check = world.client.client.workflow.getHandle(recentActions.at(-1)!.action.workflow.workflowId);
    const report = (await check.result()) as DriftReport;
    assert.deepEqual(
      report.banks.map((b) => b.findings.map((f) => f.kind)),
      [['credential-expiring']],
    );
    assert.deepEqual(report.followUps, [
      {
        bankGuid,
        workflowType: 'rotateBankCredentials',
        workflowId: bankWorkflowId(bankGuid),
        outcome: 'started',
      },
    ]);
    assert.deepEqual((await desired.plan(manifest)).banks[0]!.actions, []);
  });

  it("a later expiresAt in the manifest replaces the credential by rotation, inside the bank's reconcile", async () => {
    const { bankGuid } = manifest.banks[0]!;
    const later = new Date(Date.now() + 30 * 24 * HOUR).toISOString();
    const changed = parseManifest({
      ...manifest,
      banks: [
        { ...manifest.banks[0]!, application: { ...manifest.banks[0]!.application, expiresAt: later } },
      ],
    });
    const plan = await desired.plan(changed);
    const [before] = await listBankApplications(world, bankGuid);
    assert.deepEqual(plan.banks[0]!.actions, [
      {
        kind: 'rotate-credential',
        by: 'worker',
        clientId: before!.client_id,
        reason: 'expiry-changed',
        expiresAt: later,
        currentExpiresAt: before!.expires_at,
      },
    ]);
    const applied = await (await desired.startApply(changed, plan)).result();
    assert.equal(applied.summary.applied, 1);
    const [after] = await listBankApplications(world, bankGuid);
    assert.notEqual(after!.client_id, before!.client_id);
    assert.equal(after!.expires_at, later);
    const rotations = await world.deps.ledger.rotationsOf(bankGuid);
    assert.equal(rotations.at(-1)!.previousClientId, before!.client_id);
    assert.deepEqual((await desired.plan(changed)).banks[0]!.actions, []);
  });

  it("counts the check's findings in the worker's metrics", async () => {
    const text = await (await fetch(metricsUrl)).text();
    /** The value of `name` whose labels include the manifest's (and `kind`, when given). */
    const sample = (name: string, kind?: string) =>
      text
        .split('\n')
        .find(
          (line) =>
            line.startsWith(`${name}{`) &&
            line.includes(`manifest="${manifest.name}"`) &&
            (!kind || line.includes(`kind="${kind}"`)),
        )
        ?.split(' ')
        .at(-1);
    assert.equal(sample('provisioner_drift_findings', 'credential-expiring'), '1', text.slice(0, 2000));
    assert.equal(sample('provisioner_drift_findings', 'user-missing'), '0');
    assert.equal(sample('provisioner_drift_banks_drifted'), '1');
    assert.equal(sample('provisioner_drift_checks'), '1');
  });
});
