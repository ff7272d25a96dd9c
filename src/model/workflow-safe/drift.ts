/**
 * Building the drift report from a plan, and the report as the Web UI shows it. Free of zod: the drift check
 * workflow runs it (the schemas are in drift-report.ts).
 */
import type { DriftFollowUp, DriftReport } from '../drift-report.js';
import type { DriftKind, ManifestPlan } from '../plan.js';

/** Every kind of finding, so the counts name each one (zero included); the type makes the list complete. */
const KINDS: Record<DriftKind, true> = {
  'application-missing': true,
  'application-changed': true,
  'expiry-changed': true,
  'credential-expiring': true,
  'unmanaged-application': true,
  'user-missing': true,
  'user-scopes-changed': true,
  'user-not-recorded': true,
  'user-unnamed': true,
  'user-disabled': true,
};
export const DRIFT_KINDS = Object.keys(KINDS) as DriftKind[];

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
