/**
 * driftCheck: compares a manifest with the IdP (with the secret store and the ledger) and reports the
 * differences: in its result (JSON), in the Web UI's current details, in the worker's metrics, and to the
 * webhook subscribers of `drift.detected` when it finds any. What the manifest's Schedule runs, and `provisioner
 * drift` (which only reports). A scheduled check also acts: credentials due by their bank's `beforeExpiry`
 * are rotated by the rotation workflow, under the bank's one workflow id (a busy bank is skipped and
 * rotated at the next check), and with `drift.reconcile` the drifted banks are applied.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { metricMeter, ParentClosePolicy, patched, setCurrentDetails, startChild } from '@temporalio/workflow';
import type { DriftCheckInput } from '../model/desired-state.js';
import { describeDrift, driftReport } from '../model/workflow-safe/drift.js';
import type { DriftFollowUp, DriftReport } from '../model/drift-report.js';
import type { Manifest } from '../model/manifest.js';
import { applyWorkflowId, bankWorkflowId } from '../model/workflow-safe/operations.js';
import type { ManifestPlan } from '../model/plan.js';
import { operationSearchAttributes } from '../model/workflow-safe/search-attributes.js';
import {
  CREDENTIAL_EXPIRING_EVENT,
  DRIFT_DETECTED_EVENT,
  type CredentialExpiringData,
} from '../model/workflow-safe/webhook-events.js';
import { applyManifest } from './apply-manifest.js';
import { emitEvent } from './events.js';
import { observeAndPlan } from './plan-manifest.js';
import { rotateBankCredentials } from './rotate-bank-credentials.js';
import { trackStatus } from './status.js';
import { parsedInput } from './input.js';

/**
 * Marks checks that tell webhook subscribers of each expiring credential (`credential.expiring`). Checks
 * begun before it replay as they ran: without those events.
 */
const EXPIRING_EVENTS_PATCH = 'credential-expiring-events';

export async function driftCheck(rawInput: DriftCheckInput): Promise<DriftReport> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('driftCheck', undefined);
  const { manifest, act } = await parsedInput('driftCheck', rawInput);
  const plan = await observeAndPlan(manifest, progress);
  const followUps = act ? await followUp(manifest, plan) : [];
  const report = driftReport(plan, followUps);
  countInMetrics(report);
  const expiring = expiringCredentials(manifest, plan, followUps);
  if (expiring.length > 0 && patched(EXPIRING_EVENTS_PATCH)) {
    progress.step(`telling webhook subscribers of ${expiring.length} expiring credentials`);
    for (const data of expiring) await emitEvent(CREDENTIAL_EXPIRING_EVENT, { ...data }, data.bankGuid);
  }
  if (report.banks.length > 0 || report.organization.unmanagedUsers.count > 0) {
    progress.step('sending the report to webhook subscribers');
    await emitEvent(DRIFT_DETECTED_EVENT, report);
  }
  progress.step('done');
  setCurrentDetails(describeDrift(report));
  return report;
}

/**
 * The credentials within their expiry window, each with whether this check started what renews it: its
 * rotation, or the apply of the bank (its plan rotates it: the bank's `beforeExpiry` is set).
 */
function expiringCredentials(
  manifest: Manifest,
  plan: ManifestPlan,
  followUps: DriftFollowUp[],
): CredentialExpiringData[] {
  const nowMs = Date.now();
  const apply = followUps.find((f) => f.workflowType === 'applyManifest' && f.outcome === 'started');
  return plan.banks.flatMap((bank) =>
    bank.findings.flatMap((finding): CredentialExpiringData[] => {
      if (finding.kind !== 'credential-expiring') return [];
      const rotates = bank.actions.some((a) => a.kind === 'rotate-credential' && a.reason === 'expiring');
      const rotation = followUps.find(
        (f) =>
          f.bankGuid === bank.bankGuid &&
          f.workflowType === 'rotateBankCredentials' &&
          f.outcome === 'started',
      );
      const renewal = rotation ?? (apply && rotates && bank.problems.length === 0 ? apply : undefined);
      return [
        {
          manifest: manifest.name,
          bankGuid: bank.bankGuid,
          clientId: finding.clientId,
          expiresAt: finding.expiresAt,
          expiresInMs: Date.parse(finding.expiresAt) - nowMs,
          rotationStarted: renewal !== undefined,
          ...(renewal ? { workflowId: renewal.workflowId } : {}),
        },
      ];
    }),
  );
}

/** What a scheduled check starts; each keeps running after the check ends (ABANDON). */
async function followUp(manifest: Manifest, plan: ManifestPlan): Promise<DriftFollowUp[]> {
  if (manifest.drift?.reconcile) {
    const drifted = plan.banks.filter((b) => b.actions.length > 0 && b.problems.length === 0);
    if (drifted.length === 0) return [];
    const workflowId = applyWorkflowId(manifest.name);
    const outcome = await started(() =>
      startChild(applyManifest, {
        workflowId,
        args: [{ manifest, bankGuids: drifted.map((b) => b.bankGuid) }],
        typedSearchAttributes: operationSearchAttributes('applyManifest', undefined),
        staticSummary: `Apply manifest ${manifest.name} to ${drifted.length} drifted banks (drift schedule)`,
        parentClosePolicy: ParentClosePolicy.ABANDON,
      }),
    );
    return [{ workflowType: 'applyManifest', workflowId, outcome }];
  }

  const followUps: DriftFollowUp[] = [];
  for (const bankPlan of plan.banks) {
    const bank = manifest.banks.find((b) => b.bankGuid === bankPlan.bankGuid)!;
    for (const action of bankPlan.actions) {
      if (action.kind !== 'rotate-credential' || action.reason !== 'expiring') continue;
      const workflowId = bankWorkflowId(bank.bankGuid);
      const outcome = await started(() =>
        startChild(rotateBankCredentials, {
          workflowId,
          args: [
            {
              bankGuid: bank.bankGuid,
              gracePeriod: bank.rotation?.gracePeriod,
              application: {
                name: bank.application?.name,
                ipAllowlist: bank.application?.ipAllowlist,
                expiresAt: action.expiresAt,
              },
            },
          ],
          typedSearchAttributes: operationSearchAttributes('rotateBankCredentials', bank.bankGuid),
          staticSummary: `Rotate the credential of bank ${bank.bankGuid}: it expires ${action.currentExpiresAt}`,
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
      );
      followUps.push({ bankGuid: bank.bankGuid, workflowType: 'rotateBankCredentials', workflowId, outcome });
    }
  }
  return followUps;
}

/** Started, or busy: another workflow already holds the id (one operation per bank, one apply per manifest). */
async function started(start: () => Promise<unknown>): Promise<DriftFollowUp['outcome']> {
  try {
    await start();
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'busy';
    throw err;
  }
}

/**
 * The worker's metrics (the SDK's custom metrics, exported with the worker's own): the findings of the
 * latest check by kind, the banks that drifted, and a count of checks.
 */
function countInMetrics(report: DriftReport): void {
  const tags = { manifest: report.manifest };
  const findings = metricMeter.createGauge(
    'provisioner_drift_findings',
    'int',
    'findings',
    'Differences between a manifest and the IdP found by its latest drift check, by kind',
  );
  for (const [kind, count] of Object.entries(report.summary.byKind)) findings.set(count, { ...tags, kind });
  metricMeter
    .createGauge('provisioner_drift_banks_drifted', 'int', 'banks', 'Banks that drifted at the latest check')
    .set(report.summary.banksDrifted, tags);
  metricMeter
    .createGauge(
      'provisioner_drift_unmanaged_users',
      'int',
      'users',
      'Users of the organization no bank of the manifest names, at the latest check',
    )
    .set(report.organization.unmanagedUsers.count, tags);
  metricMeter.createCounter('provisioner_drift_checks', 'checks', 'Drift checks run').add(1, tags);
}
