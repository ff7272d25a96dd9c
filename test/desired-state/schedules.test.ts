/**
 * The Temporal Schedules a manifest asks for: each bank's rotation Schedule (`rotation.every`, the one
 * `schedule-rotation` creates), and the manifest's drift Schedule, whose checks report (result, Web UI) or,
 * with `drift.reconcile`, apply what they find.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { DesiredStateClient, parseManifest } from '../../src/client/desired-state.js';
import { rotationScheduleId } from '../../src/client/index.js';
import { durationMs } from '../../src/model/contract.js';
import type { DriftReport } from '../../src/model/drift-report.js';
import {
  applyWorkflowId,
  driftScheduleId,
  type Manifest,
  type ManifestInput,
} from '../../src/model/manifest.js';
import type { applyManifest } from '../../src/workflows/index.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { listBankApplications } from '../support/idp.js';
import { allowlistEntry, fleet, manifestOf } from '../support/manifests.js';

describe('the schedules a manifest asks for', () => {
  let world: TestWorld;
  let desired: DesiredStateClient;
  const schedules: string[] = [];
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
    desired = new DesiredStateClient(world.client);
  });
  after(async () => {
    for (const id of schedules)
      await world.client.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await world.close();
  });

  /** Plans and applies the manifest, as `apply --yes` does; returns the plan. */
  const apply = async (input: ManifestInput) => {
    const manifest = parseManifest(input);
    const plan = await desired.plan(manifest);
    if (plan.banks.some((b) => b.actions.some((a) => !a.kind.includes('schedule'))))
      await (await desired.startApply(manifest, plan)).result();
    await desired.applySchedules(manifest, plan);
    return plan;
  };
  const scheduleKinds = async (manifest: Manifest) =>
    (await desired.plan(manifest)).banks.map((b) =>
      b.actions.map((a) => `${a.kind}${'change' in a ? `:${a.change}` : ''}`),
    );

  it("keeps each bank's rotation Schedule as rotation.every says: created, updated, removed", async () => {
    const banks = fleet(2);
    const rotating = { ...banks[0]!, rotation: { every: '90d', gracePeriod: '1h' } };
    const input = manifestOf([rotating, banks[1]!]);
    const scheduleId = rotationScheduleId(rotating.bankGuid);
    schedules.push(scheduleId);

    const first = await apply(input);
    assert.deepEqual(first.banks[0]!.actions.at(-1), {
      kind: 'schedule-rotation',
      scheduleId,
      change: 'create',
      every: '90d',
      gracePeriod: '1h',
    });
    const created = await world.client.client.schedule.getHandle(scheduleId).describe();
    assert.equal(created.spec.intervals?.[0]?.every, durationMs('90d'));
    assert.equal(created.action.workflowType, 'scheduledRotation');
    assert.deepEqual(await scheduleKinds(parseManifest(input)), [[], []]);

    const faster = {
      ...input,
      banks: [{ ...rotating, rotation: { every: '30d', gracePeriod: '1h' } }, banks[1]!],
    };
    assert.deepEqual(await scheduleKinds(parseManifest(faster)), [['schedule-rotation:update'], []]);
    await apply(faster);
    const updated = await world.client.client.schedule.getHandle(scheduleId).describe();
    assert.equal(updated.spec.intervals?.[0]?.every, durationMs('30d'));

    const none = { ...input, banks: [banks[0]!, banks[1]!] };
    assert.deepEqual(await scheduleKinds(parseManifest(none)), [['remove-rotation-schedule'], []]);
    await apply(none);
    assert.equal(await world.client.rotationSchedule(rotating.bankGuid), undefined);
  });

  it('the drift Schedule applies what its check finds with drift.reconcile, and follows the manifest', async () => {
    const [bank] = fleet(1);
    const input = manifestOf([bank!], { drift: { every: '1h', reconcile: true } });
    const manifest = parseManifest(input);
    const scheduleId = driftScheduleId(manifest.name);
    schedules.push(scheduleId);
    const first = await apply(input);
    assert.deepEqual(first.actions, [
      { kind: 'schedule-drift', scheduleId, change: 'create', every: '1h', reconcile: true },
    ]);
    assert.deepEqual((await desired.plan(manifest)).actions, []);
    const applied = await world.client.client.workflow.getHandle(applyWorkflowId(manifest.name)).describe();

    // By hand: the allowlist widened. The next check finds it and applies the manifest again.
    const [app] = await listBankApplications(world, bank!.bankGuid);
    await world.deps.activityDeps.idp.updateBankApplication(app!.client_id, {
      ip_allowlist: ['203.0.114.0/24'],
    });
    const schedule = world.client.client.schedule.getHandle(scheduleId);
    await schedule.trigger();
    let report: DriftReport | undefined;
    while (!report) {
      const { recentActions } = (await schedule.describe()).info;
      if (recentActions.length > 0)
        report = (await world.client.client.workflow
          .getHandle(recentActions[0]!.action.workflow.workflowId)
          .result()) as DriftReport;
      else await sleep(100);
    }
    assert.deepEqual(report.followUps, [
      { workflowType: 'applyManifest', workflowId: applyWorkflowId(manifest.name), outcome: 'started' },
    ]);
    const reapply = world.client.client.workflow.getHandle<typeof applyManifest>(
      applyWorkflowId(manifest.name),
    );
    while ((await reapply.describe()).runId === applied.runId) await sleep(100);
    assert.deepEqual((await reapply.result()).summary, { applied: 1, busy: 0, failed: 0 });
    const [restored] = await listBankApplications(world, bank!.bankGuid);
    assert.deepEqual(restored!.ip_allowlist, [allowlistEntry(0)]);

    // A changed manifest changes the Schedule's input: plan says so, and `drift` updates it.
    const grown = parseManifest({
      ...input,
      banks: [{ ...bank!, users: [...bank!.users!, { email: 'new@example.com' }] }],
    });
    assert.deepEqual((await desired.plan(grown)).actions, [
      { kind: 'schedule-drift', scheduleId, change: 'update', every: '1h', reconcile: true },
    ]);
    assert.equal((await desired.syncDriftSchedule(grown))?.change, 'update');
    const { action } = await schedule.describe();
    assert.deepEqual(action.args?.[0], { manifest: grown, act: true });
    assert.equal((await desired.syncDriftSchedule(grown))?.change, 'none');
  });

  it('shows a drift report in the Web UI: its summary, and the findings as current details', async () => {
    const [bank] = fleet(1);
    const manifest = parseManifest(manifestOf([bank!]));
    const report = await desired.drift(manifest);
    assert.equal(report.summary.banksDrifted, 1);
    assert.equal(report.summary.byKind['application-missing'], 1);

    let workflowId: string | undefined;
    while (!workflowId) {
      for await (const run of world.client.client.workflow.list({
        // This world's task queue: other tests' workflows on the shared server carry other codec keys.
        query: `WorkflowType = "driftCheck" AND TaskQueue = "${world.taskQueue}"`,
      }))
        if (run.workflowId.startsWith(`drift-${manifest.name}-`)) workflowId = run.workflowId;
      if (!workflowId) await sleep(200); // visibility is eventually consistent
    }
    const handle = world.client.client.workflow.getHandle(workflowId);
    assert.equal(
      await (await handle.describe()).staticSummary(),
      `Drift check of manifest ${manifest.name} (1 banks)`,
    );
    const metadata = await handle.query(workflowMetadataQuery);
    assert.match(
      metadata.currentDetails ?? '',
      new RegExp(`^\\*\\*Drift of manifest ${manifest.name}\\*\\*`),
    );
    assert.match(metadata.currentDetails ?? '', /\| application-missing \| 1 \|/);
  });
});
