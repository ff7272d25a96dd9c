/** Plans, apply results and drift reports as people read them on a terminal. */
import type { PlanDocument } from '../client/desired-state.js';
import type { DriftReport } from '../model/drift-report.js';
import type { BankAction, DriftFinding, ManifestAction } from '../model/plan.js';

const list = (values: readonly string[] | null | undefined) =>
  values == null ? 'the IdP default' : values.length === 0 ? 'none' : values.join(', ');

/** What the plan adds to an action a person makes. */
const BY_A_PERSON = ' (needs a person in the Partner Portal)';

export function describeAction(action: BankAction | ManifestAction): string {
  switch (action.kind) {
    case 'create-application':
      return action.reuses
        ? `+ make the stored credential of application ${action.reuses} current again`
        : `+ create application "${action.name}" (allowlist ${list(action.ipAllowlist)}${action.expiresAt ? `, expires ${action.expiresAt}` : ''})`;
    case 'update-application':
      return `~ update application ${action.clientId}: ${[
        action.ipAllowlist && `allowlist ${list(action.ipAllowlist.from)} → ${list(action.ipAllowlist.to)}`,
        action.name && `name "${action.name.from}" → "${action.name.to}"`,
      ]
        .filter(Boolean)
        .join('; ')}`;
    case 'rotate-credential':
      return `↻ replace credential ${action.clientId} by rotation (${action.reason === 'expiring' ? `it expires ${action.currentExpiresAt}` : `expiry ${action.currentExpiresAt ?? 'none'} → ${action.expiresAt}`}); the new one expires ${action.expiresAt ?? 'never'}`;
    case 'create-user':
      return `+ create user ${action.email} (scopes ${list(action.allowedScopes)})`;
    case 'update-user-scopes':
      return `~ change the scopes of ${action.email}: ${list(action.from)} → ${list(action.to)}`;
    case 'record-user':
      return `~ record the existing user ${action.email} as the bank's (no IdP write)`;
    case 'disable-user':
      return `- disable user ${action.email} (no longer in the manifest; prune)`;
    case 'schedule-rotation':
      return `${action.change === 'create' ? '+ create' : '~ update'} rotation schedule ${action.scheduleId}: every ${action.every}, grace ${action.gracePeriod}`;
    case 'remove-rotation-schedule':
      return `- remove rotation schedule ${action.scheduleId}`;
    case 'schedule-drift':
      return `${action.change === 'create' ? '+ create' : '~ update'} drift schedule ${action.scheduleId}: every ${action.every}${action.reconcile ? ', reconciling' : ', reporting'}`;
    case 'remove-drift-schedule':
      return `- remove drift schedule ${action.scheduleId}`;
  }
}

export function describePlan(plan: PlanDocument): string[] {
  const lines: string[] = [];
  for (const bank of plan.banks) {
    if (bank.actions.length === 0 && bank.problems.length === 0) continue;
    lines.push(`bank ${bank.bankGuid}:`);
    for (const action of bank.actions)
      lines.push(`  ${describeAction(action)}${'by' in action && action.by === 'person' ? BY_A_PERSON : ''}`);
    for (const problem of bank.problems) lines.push(`  ! not applied: ${problem}`);
  }
  if (plan.actions.length > 0) lines.push(`manifest ${plan.manifest}:`);
  for (const action of plan.actions) lines.push(`  ${describeAction(action)}`);
  const { unmanagedUsers } = plan.organization;
  if (unmanagedUsers.count > 0)
    lines.push(
      `note: ${unmanagedUsers.count} users of the organization are named by no bank of the manifest (reported, never changed): ${unmanagedUsers.sample.join(', ')}${unmanagedUsers.count > unmanagedUsers.sample.length ? ', ...' : ''}`,
    );
  const byPerson = plan.banks.flatMap((bank) => bank.actions).filter((a) => 'by' in a && a.by === 'person');
  if (byPerson.length > 0)
    lines.push(
      `note: ${byPerson.length === 1 ? '1 action needs' : `${byPerson.length} actions need`} a person in the Partner Portal: apply opens a task for each (provisioner tasks) and waits for it`,
    );
  const counts = Object.entries(plan.summary.actions).map(([kind, count]) => `${count} ${kind}`);
  lines.push(
    counts.length === 0
      ? `No changes: the IdP, the ledger and the schedules match manifest ${plan.manifest} (${plan.summary.banks} banks).`
      : `Plan: ${plan.summary.banksToChange} of ${plan.summary.banks} banks to change: ${counts.join(', ')}.`,
  );
  return lines;
}

function describeFinding(finding: DriftFinding): string {
  switch (finding.kind) {
    case 'application-missing':
      return `application missing${finding.deletedClientId ? ` (${finding.deletedClientId} of the stored credential was deleted)` : ''}`;
    case 'application-changed':
      return `${finding.field} of application ${finding.clientId} changed: expected ${String(finding.expected)}, found ${String(finding.actual)}`;
    case 'expiry-changed':
      return `expiry of ${finding.clientId}: expected ${finding.expected}, found ${finding.actual ?? 'none'}`;
    case 'credential-expiring':
      return `credential ${finding.clientId} expires ${finding.expiresAt}`;
    case 'unmanaged-application':
      return `application ${finding.clientId} ("${finding.name}", created ${finding.createdAt}) is not in the secret store`;
    case 'user-missing':
      return `user ${finding.email} missing`;
    case 'user-scopes-changed':
      return `scopes of ${finding.email} changed: expected ${list(finding.expected)}, found ${list(finding.actual)}`;
    case 'user-not-recorded':
      return `user ${finding.email} exists but the ledger does not record it for the bank`;
    case 'user-unnamed':
      return `user ${finding.email} is the bank's but the manifest does not name it`;
    case 'user-disabled':
      return `user ${finding.email} is disabled in the IdP`;
  }
}

export function describeDriftReport(report: DriftReport): string[] {
  const { summary } = report;
  const lines = [
    `drift of manifest ${report.manifest} at ${report.checkedAt}: ${summary.banksDrifted} of ${summary.banksChecked} banks drifted (${summary.findings} findings)`,
  ];
  for (const bank of report.banks) {
    lines.push(`bank ${bank.bankGuid}:`);
    for (const finding of bank.findings) lines.push(`  ${describeFinding(finding)}`);
    for (const problem of bank.problems) lines.push(`  ! ${problem}`);
  }
  const { unmanagedUsers } = report.organization;
  if (unmanagedUsers.count > 0)
    lines.push(
      `organization: ${unmanagedUsers.count} users no bank of the manifest names: ${unmanagedUsers.sample.join(', ')}`,
    );
  return lines;
}
