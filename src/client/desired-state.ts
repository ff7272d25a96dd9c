/**
 * The desired state, from the client's side: the manifest checked at the edge, the worker's plan (the IdP, the
 * secret store, the ledger: read by the planManifest workflow on the worker, which holds the organization
 * credentials) completed with the Temporal Schedules the manifest asks for, the apply workflow, the drift
 * report, and the schedules themselves, which only a Temporal client can change.
 */
import {
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { z } from 'zod';
import { DEFAULT_GRACE_PERIOD, durationMs, type Duration } from '../model/contract.js';
import { DEFAULT_APPLY_CONCURRENCY, type DriftCheckInput } from '../model/desired-state.js';
import type { DriftReport } from '../model/drift-report.js';
import { Manifest, type BankManifest } from '../model/manifest.js';
import {
  applyWorkflowId,
  driftCheckWorkflowId,
  driftScheduleId,
  planWorkflowId,
  rotationScheduleId,
  scheduledDriftCheckWorkflowId,
} from '../model/workflow-safe/operations.js';
import { BankAction, ManifestAction, ManifestPlan, type BankActionKind } from '../model/plan.js';
import { operationSearchAttributes } from '../model/workflow-safe/search-attributes.js';
import { parseOrThrow } from '../model/validation.js';
import type { applyManifest, driftCheck, planManifest } from '../workflows/index.js';
import { InvalidInputError, type ProvisionerClient } from './index.js';
import { deleteSchedule, describeSchedule, digestOf, putSchedule } from './schedules.js';
import { payloadSizeProblem } from './payload-size.js';

/** The plan as `plan` prints it: the worker's plan, with the schedules' actions and counts. */
export const PlanDocument = ManifestPlan.extend({
  /** What the manifest as a whole changes (its drift Schedule). */
  actions: z.array(ManifestAction),
  summary: z.object({
    banks: z.number(),
    banksToChange: z.number(),
    /** Actions of each kind, over every bank. */
    actions: z.record(z.string(), z.number()),
  }),
});
export type PlanDocument = z.infer<typeof PlanDocument>;

/** An apply of the same manifest is in progress. */
export class ManifestBusyError extends Error {
  override name = 'ManifestBusyError';
}

/** Describes of schedules at once while planning. */
const DESCRIBES_AT_ONCE = 20;

/** Identifies a manifest's content: the drift Schedule is updated when it changes. */

/** Bank actions carried out by the client (schedules), not by the bank's reconcile. */
const SCHEDULE_ACTIONS: ReadonlySet<BankActionKind> = new Set([
  'schedule-rotation',
  'remove-rotation-schedule',
]);

/** Whether apply reconciles the bank (it has something to do on the IdP, and nothing stops it). */
export const needsReconcile = (bank: PlanDocument['banks'][number]) =>
  bank.problems.length === 0 && bank.actions.some((action) => !SCHEDULE_ACTIONS.has(action.kind));

/** The manifest, validated before anything else happens: InvalidInputError naming every problem by its path. */
export function parseManifest(raw: unknown, source = 'manifest'): Manifest {
  return parseOrThrow(
    Manifest,
    raw,
    (problems) => new InvalidInputError(`Invalid ${source}: ${problems}`),
    'manifest',
  );
}

export class DesiredStateClient {
  constructor(private readonly provisioner: ProvisionerClient) {}

  private get client() {
    return this.provisioner.client;
  }

  /**
   * InvalidInputError when the manifest would not fit in one Temporal payload: it travels as the input of
   * the workflows and of its drift Schedule.
   */
  async assertFits(manifest: Manifest, source = 'manifest'): Promise<void> {
    const input: DriftCheckInput = { manifest, act: true };
    const problem = await payloadSizeProblem(this.client.options.loadedDataConverter, 'banks', input);
    if (problem) throw new InvalidInputError(`Invalid ${source}: ${problem}`);
  }

  /** What apply would do: the worker's plan (no IdP write) and the schedules' changes. */
  async plan(manifest: Manifest): Promise<PlanDocument> {
    const worker = await this.client.workflow.execute<typeof planManifest>('planManifest', {
      workflowId: planWorkflowId(manifest.name, randomUUID()),
      taskQueue: this.provisioner.taskQueue,
      args: [{ manifest }],
      typedSearchAttributes: operationSearchAttributes('planManifest', undefined),
      staticSummary: `Plan manifest ${manifest.name} (${manifest.banks.length} banks)`,
    });
    const scheduleActions = await this.rotationScheduleActions(manifest.banks);
    const banks = worker.banks.map((bank, i) => ({
      ...bank,
      actions: [...bank.actions, ...scheduleActions[i]!],
    }));
    const actions = await this.driftScheduleActions(manifest);
    const counts: Record<string, number> = {};
    for (const action of [...banks.flatMap((b) => b.actions), ...actions])
      counts[action.kind] = (counts[action.kind] ?? 0) + 1;
    return {
      ...worker,
      banks,
      actions,
      summary: {
        banks: banks.length,
        banksToChange: banks.filter((b) => b.actions.length > 0).length,
        actions: counts,
      },
    };
  }

  /**
   * Starts the apply of the banks the plan changes on the IdP. ManifestBusyError while another apply of the
   * manifest runs (one apply per manifest, as one operation per bank).
   */
  async startApply(
    manifest: Manifest,
    plan: PlanDocument,
    concurrency = DEFAULT_APPLY_CONCURRENCY,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof applyManifest>> {
    const bankGuids = plan.banks.filter(needsReconcile).map((b) => b.bankGuid);
    const workflowId = applyWorkflowId(manifest.name);
    try {
      return await this.client.workflow.start<typeof applyManifest>('applyManifest', {
        workflowId,
        taskQueue: this.provisioner.taskQueue,
        args: [{ manifest, bankGuids, concurrency }],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: operationSearchAttributes('applyManifest', undefined),
        staticSummary: `Apply manifest ${manifest.name} to ${bankGuids.length} banks`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      throw new ManifestBusyError(
        `An apply of manifest ${manifest.name} is in progress (workflow ${workflowId}); wait for it to finish or cancel it first`,
      );
    }
  }

  /** Carries out the plan's schedule actions (rotation Schedules of its banks, the manifest's drift Schedule). */
  async applySchedules(manifest: Manifest, plan: PlanDocument): Promise<(BankAction | ManifestAction)[]> {
    const done: (BankAction | ManifestAction)[] = [];
    for (const bankPlan of plan.banks) {
      for (const action of bankPlan.actions) {
        if (action.kind === 'schedule-rotation') {
          await this.provisioner.scheduleRotation(
            bankPlan.bankGuid,
            String(action.every),
            String(action.gracePeriod),
          );
        } else if (action.kind === 'remove-rotation-schedule') {
          await deleteSchedule(this.client, action.scheduleId);
        } else continue;
        done.push(action);
      }
    }
    for (const action of plan.actions) {
      if (action.kind === 'schedule-drift') await this.putDriftSchedule(manifest);
      else await deleteSchedule(this.client, action.scheduleId);
      done.push(action);
    }
    return done;
  }

  /** The drift report now (no IdP write, nothing started). */
  async drift(manifest: Manifest): Promise<DriftReport> {
    return this.client.workflow.execute<typeof driftCheck>('driftCheck', {
      workflowId: driftCheckWorkflowId(manifest.name, randomUUID()),
      taskQueue: this.provisioner.taskQueue,
      args: [{ manifest, act: false }],
      typedSearchAttributes: operationSearchAttributes('driftCheck', undefined),
      staticSummary: `Drift check of manifest ${manifest.name} (${manifest.banks.length} banks)`,
    });
  }

  /**
   * Creates or updates the drift Schedule the manifest asks for (`drift`), and says what it did; never
   * removes one (apply does, when the manifest stops asking).
   */
  async syncDriftSchedule(
    manifest: Manifest,
  ): Promise<{ scheduleId: string; change: 'create' | 'update' | 'none'; nextRunAt?: string } | undefined> {
    if (!manifest.drift) return undefined;
    const [action] = await this.driftScheduleActions(manifest);
    if (action) await this.putDriftSchedule(manifest);
    const scheduleId = driftScheduleId(manifest.name);
    const description = await describeSchedule(this.client, scheduleId);
    return {
      scheduleId,
      change: action?.kind === 'schedule-drift' ? action.change : 'none',
      nextRunAt: description?.info.nextActionTimes[0]?.toISOString(),
    };
  }

  /** Each bank's rotation Schedule against its `rotation.every` and `gracePeriod`. */
  private async rotationScheduleActions(banks: readonly BankManifest[]): Promise<BankAction[][]> {
    const limit = pLimit(DESCRIBES_AT_ONCE);
    return Promise.all(
      banks.map((bank) =>
        limit(async (): Promise<BankAction[]> => {
          const scheduleId = rotationScheduleId(bank.bankGuid);
          const existing = await describeSchedule(this.client, scheduleId);
          const every = bank.rotation?.every;
          if (every === undefined) return existing ? [{ kind: 'remove-rotation-schedule', scheduleId }] : [];
          const gracePeriod = bank.rotation?.gracePeriod ?? DEFAULT_GRACE_PERIOD;
          const want = { kind: 'schedule-rotation' as const, scheduleId, every, gracePeriod };
          if (!existing) return [{ ...want, change: 'create' }];
          const args = existing.action.args?.[0] as { gracePeriod?: Duration } | undefined;
          const sameEvery = existing.spec.intervals?.[0]?.every === durationMs(every);
          const sameGrace = durationMs(args?.gracePeriod ?? DEFAULT_GRACE_PERIOD) === durationMs(gracePeriod);
          return sameEvery && sameGrace ? [] : [{ ...want, change: 'update' }];
        }),
      ),
    );
  }

  /** The manifest's drift Schedule against its `drift` block (and content: the Schedule carries it). */
  private async driftScheduleActions(manifest: Manifest): Promise<ManifestAction[]> {
    const scheduleId = driftScheduleId(manifest.name);
    const existing = await describeSchedule(this.client, scheduleId);
    if (!manifest.drift) return existing ? [{ kind: 'remove-drift-schedule', scheduleId }] : [];
    const want = { kind: 'schedule-drift' as const, scheduleId, ...manifest.drift };
    if (!existing) return [{ ...want, change: 'create' }];
    const digest = existing.action.memo?.manifestDigest;
    return digest === digestOf(manifest) ? [] : [{ ...want, change: 'update' }];
  }

  /** Creates or updates the drift Schedule; the manifest is its action's input (encrypted by the codec). */
  private async putDriftSchedule(manifest: Manifest): Promise<void> {
    const { drift, name } = manifest;
    if (!drift) return;
    await putSchedule(this.client, {
      scheduleId: driftScheduleId(name),
      spec: { intervals: [{ every: drift.every }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'driftCheck',
        workflowId: scheduledDriftCheckWorkflowId(name),
        taskQueue: this.provisioner.taskQueue,
        args: [{ manifest, act: true } satisfies DriftCheckInput],
        typedSearchAttributes: operationSearchAttributes('driftCheck', undefined),
        staticSummary: `Drift check of manifest ${name}: every ${drift.every}${drift.reconcile ? ', reconciling' : ''}`,
        // In the action, not the Schedule's own memo: only the action can be updated in place.
        memo: { manifestDigest: digestOf(manifest) },
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      memo: { manifest: name },
    });
  }
}
