/**
 * The drift report: what differs between a manifest and the IdP (with the secret store and the ledger), as
 * JSON, as the Web UI shows it, and as counts for metrics. Built from a plan, so `drift` and `plan` agree.
 */
import { z } from 'zod';
import { DriftFinding, UnmanagedUsers, type DriftKind, type ManifestPlan } from './plan.js';

export const DRIFT_KINDS = DriftFinding.options.map<DriftKind>((option) => option.shape.kind.value);

/** What a scheduled check started for a bank: a rotation due by policy, or a reconcile of the manifest. */
export const DriftFollowUp = z.object({
  bankGuid: z.string().optional(),
  workflowType: z.enum(['rotateBankCredentials', 'applyManifest']),
  workflowId: z.string(),
  outcome: z.enum(['started', 'busy']),
});
export type DriftFollowUp = z.infer<typeof DriftFollowUp>;

export const DriftReport = z.object({
  manifest: z.string(),
  checkedAt: z.string(),
  /** Only the banks that drifted. */
  banks: z.array(
    z.object({ bankGuid: z.string(), findings: z.array(DriftFinding), problems: z.array(z.string()) }),
  ),
  organization: z.object({ unmanagedUsers: UnmanagedUsers }),
  summary: z.object({
    banksChecked: z.number(),
    banksDrifted: z.number(),
    findings: z.number(),
    /** Findings of each kind (every kind, zero included). */
    byKind: z.record(z.string(), z.number()),
  }),
  /** What a scheduled check started (rotations due by policy; a reconcile when the manifest asks for it). */
  followUps: z.array(DriftFollowUp),
});
export type DriftReport = z.infer<typeof DriftReport>;

export function driftReport(plan: ManifestPlan, followUps: DriftFollowUp[] = []): DriftReport {
  const banks = plan.banks
    .filter((bank) => bank.findings.length > 0 || bank.problems.length > 0)
    .map(({ bankGuid, findings, problems }) => ({ bankGuid, findings, problems }));
  const byKind = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as Record<string, number>;
  for (const bank of banks) for (const finding of bank.findings) byKind[finding.kind]! += 1;
  return {
    manifest: plan.manifest,
    checkedAt: plan.plannedAt,
    banks,
    organization: plan.organization,
    summary: {
      banksChecked: plan.banks.length,
      banksDrifted: banks.length,
      findings: banks.reduce((sum, bank) => sum + bank.findings.length, 0),
      byKind,
    },
    followUps,
  };
}

/** The report as the Web UI's current details show it (markdown): counts first, then the first banks. */
export function describeDrift(report: DriftReport, maxBanks = 10): string {
  const { summary, organization } = report;
  const lines = [
    `**Drift of manifest ${report.manifest}** at ${report.checkedAt}: ${summary.banksDrifted} of ${summary.banksChecked} banks drifted, ${summary.findings} findings.`,
    '',
    '| finding | count |',
    '| --- | --- |',
    ...Object.entries(summary.byKind)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `| ${kind} | ${count} |`),
  ];
  if (organization.unmanagedUsers.count > 0)
    lines.push(
      '',
      `${organization.unmanagedUsers.count} users of the organization no bank of the manifest names.`,
    );
  for (const bank of report.banks.slice(0, maxBanks))
    lines.push('', `- bank ${bank.bankGuid}: ${bank.findings.map((f) => f.kind).join(', ')}`);
  if (report.banks.length > maxBanks) lines.push(`- and ${report.banks.length - maxBanks} more banks`);
  for (const followUp of report.followUps)
    lines.push(`- ${followUp.workflowType} ${followUp.workflowId}: ${followUp.outcome}`);
  return lines.join('\n');
}
