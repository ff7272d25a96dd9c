/**
 * The plan of one bank: a pure comparison of its manifest entry with what the worker observed (the IdP, the
 * secret store, the ledger). `plan`, `apply` (each bank's reconcile plans again from fresh observations) and
 * the drift report all use it, so they always agree. Deterministic: workflow code runs it.
 *
 * Rules an operator relies on (the README repeats them):
 * - Settings the manifest leaves out are not managed.
 * - An allowlist or name that differs is changed in place (PATCH). An expiry cannot be (the IdP has no
 *   field for it in PATCH), so a different `expiresAt` replaces the credential through the rotation
 *   workflow, with verification, grace period and rollback.
 * - A credential expiring within its bank's `beforeExpiry` is renewed by rotation, keeping its lifetime
 *   (at least twice the window, so the renewed one is not due again at once). Without `beforeExpiry` it is
 *   only reported, from `DEFAULT_EXPIRY_NOTICE` before its expiry.
 * - An `expiresAt` that is itself within the window while the credential already expires is the value
 *   the credential was created with, superseded by renewals: it asks for nothing.
 * - Users the ledger records for the bank that the manifest no longer names are disabled only with
 *   `prune`; applications the secret store does not know are reported, never deleted.
 */
import { applicationBaseName, defaultApplicationName, renamedApplicationName } from './application-names.js';
import { credentialExpiry, renewedExpiry } from './credential-expiry.js';
import { durationMs } from './durations.js';
import type { BankManifest } from '../manifest.js';
import { DEFAULT_EXPIRY_NOTICE } from './operations.js';
import type { IdpOperation } from '../../idp/permissions.js';
import type { WriteDecision } from './tasks.js';
import type {
  ActionWriter,
  BankAction,
  BankPlan,
  DriftFinding,
  ObservedApplication,
  ObservedBank,
  ObservedCredential,
  ObservedUser,
} from '../plan.js';

export interface UserIndex {
  byEmail: ReadonlyMap<string, ObservedUser>;
  byGuid: ReadonlyMap<string, ObservedUser>;
}

const emailKey = (email: string) => email.toLowerCase();

export function userIndex(users: readonly ObservedUser[]): UserIndex {
  return {
    byEmail: new Map(users.map((u) => [emailKey(u.email), u])),
    byGuid: new Map(users.map((u) => [u.guid, u])),
  };
}

export interface PlanOptions {
  prune: boolean;
  nowMs: number;
}

const sameSet = (a: readonly string[] | null, b: readonly string[]) =>
  a !== null && a.length === b.length && b.every((value) => a.includes(value));

const sameTime = (a: string | undefined, b: string) => a !== undefined && Date.parse(a) === Date.parse(b);

/** What apply does for one bank, what differs, and what keeps apply from it. */
export function planBank(
  desired: BankManifest,
  observed: ObservedBank,
  users: UserIndex,
  options: PlanOptions,
): BankPlan {
  const plan: BankPlan = { bankGuid: desired.bankGuid, actions: [], findings: [], problems: [] };
  const credential = planCredential(desired, observed, options.nowMs);
  plan.actions.push(...credential.actions);
  plan.findings.push(...credential.findings);
  plan.problems.push(...credential.problems);
  const people = planUsers(desired, observed, users, options.prune);
  plan.actions.push(...people.actions);
  plan.findings.push(...people.findings);
  // The rotation goes last: it may wait for its grace period.
  plan.actions.push(...credential.rotation);
  return plan;
}

interface Part {
  actions: BankAction[];
  findings: DriftFinding[];
  problems: string[];
}

function planCredential(desired: BankManifest, observed: ObservedBank, nowMs: number) {
  const part: Part & { rotation: BankAction[] } = { actions: [], findings: [], problems: [], rotation: [] };
  const settings = desired.application ?? {};
  const stored = new Set(observed.credentials.map((c) => c.clientId));
  const unmanaged = observed.applications.filter((app) => !stored.has(app.clientId));
  for (const app of unmanaged) {
    part.findings.push({
      kind: 'unmanaged-application',
      clientId: app.clientId,
      name: app.name,
      createdAt: app.createdAt,
    });
  }

  const current = observed.credentials.find((c) => c.stage === 'current');
  const currentApp = current && observed.applications.find((app) => app.clientId === current.clientId);
  const expiresAt = settings.expiresAt;
  const hasPassed = (iso: string) => Date.parse(iso) <= nowMs;

  if (!current || !currentApp) {
    part.findings.push({ kind: 'application-missing', deletedClientId: current?.clientId });
    // As onboarding settles it: the oldest stored credential whose application still exists is reused.
    const reusable = observed.applications
      .filter((app) => stored.has(app.clientId))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    if (!reusable && unmanaged.length > 0) {
      part.problems.push(
        `bank ${desired.bankGuid} has applications its secret store does not know (${unmanaged.map((a) => a.clientId).join(', ')}): apply never creates a credential beside them; revoke them (provisioner revoke ${desired.bankGuid} --client-id <clientId>) or point the worker at the secret store that holds their credentials`,
      );
    }
    if (expiresAt !== undefined && hasPassed(expiresAt)) {
      part.problems.push(`application.expiresAt ${expiresAt} has passed: set a later one`);
    }
    part.actions.push({
      kind: 'create-application',
      name: settings.name ?? defaultApplicationName(desired.bankGuid),
      ...(settings.ipAllowlist ? { ipAllowlist: settings.ipAllowlist } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      ...(reusable ? { reuses: reusable.clientId } : {}),
    });
    return part;
  }

  part.actions.push(...planApplicationSettings(desired, currentApp, part.findings));
  part.rotation.push(...planExpiry(desired, current, currentApp, nowMs, part));
  return part;
}

/** Allowlist and name, changed in place. */
function planApplicationSettings(
  desired: BankManifest,
  app: ObservedApplication,
  findings: DriftFinding[],
): BankAction[] {
  const settings = desired.application ?? {};
  const update: Extract<BankAction, { kind: 'update-application' }> = {
    kind: 'update-application',
    clientId: app.clientId,
  };
  if (settings.ipAllowlist && !sameSet(app.ipAllowlist, settings.ipAllowlist)) {
    update.ipAllowlist = { from: app.ipAllowlist, to: settings.ipAllowlist };
    findings.push({
      kind: 'application-changed',
      clientId: app.clientId,
      field: 'ipAllowlist',
      expected: settings.ipAllowlist,
      actual: app.ipAllowlist,
    });
  }
  if (settings.name !== undefined && applicationBaseName(app.name) !== settings.name) {
    update.name = { from: app.name, to: renamedApplicationName(app.name, settings.name) };
    findings.push({
      kind: 'application-changed',
      clientId: app.clientId,
      field: 'name',
      expected: settings.name,
      actual: applicationBaseName(app.name),
    });
  }
  return update.ipAllowlist || update.name ? [update] : [];
}

/** A changed expiry, or one coming within the window: a new credential through the rotation workflow. */
function planExpiry(
  desired: BankManifest,
  current: ObservedCredential,
  app: ObservedApplication,
  nowMs: number,
  part: Part,
): BankAction[] {
  const wanted = desired.application?.expiresAt;
  const windowMs = durationMs(desired.rotation?.beforeExpiry ?? DEFAULT_EXPIRY_NOTICE);
  const expires = credentialExpiry(app.expiresAt, current.expiresAt);
  const due = (iso: string) => Date.parse(iso) <= nowMs + windowMs;
  const rotate = (reason: 'expiry-changed' | 'expiring', expiresAt: string | undefined): BankAction => ({
    kind: 'rotate-credential',
    clientId: app.clientId,
    reason,
    ...(expiresAt ? { expiresAt } : {}),
    ...(expires ? { currentExpiresAt: expires } : {}),
  });

  if (wanted !== undefined && !sameTime(expires, wanted)) {
    const wantedInFuture = Date.parse(wanted) > nowMs;
    if (!due(wanted) || (expires === undefined && wantedInFuture)) {
      part.findings.push({
        kind: 'expiry-changed',
        clientId: app.clientId,
        expected: wanted,
        actual: expires,
      });
      return [rotate('expiry-changed', wanted)];
    }
    if (expires === undefined) {
      part.problems.push(`application.expiresAt ${wanted} has passed: set a later one`);
      return [];
    }
  }
  if (expires === undefined || !due(expires)) return [];
  part.findings.push({ kind: 'credential-expiring', clientId: app.clientId, expiresAt: expires });
  if (desired.rotation?.beforeExpiry === undefined) return [];
  return [
    rotate('expiring', renewedExpiry({ createdAt: app.createdAt, expiresAt: expires }, nowMs, 2 * windowMs)),
  ];
}

function planUsers(desired: BankManifest, observed: ObservedBank, users: UserIndex, prune: boolean) {
  const part: Omit<Part, 'problems'> = { actions: [], findings: [] };
  const recordedByEmail = new Map(observed.recordedUsers.map((u) => [emailKey(u.email), u]));
  const named = desired.users ?? [];
  for (const spec of named) {
    const recorded = recordedByEmail.get(emailKey(spec.email));
    const user = (recorded && users.byGuid.get(recorded.guid)) ?? users.byEmail.get(emailKey(spec.email));
    if (!user) {
      part.actions.push({
        kind: 'create-user',
        email: spec.email,
        ...(spec.allowedScopes ? { allowedScopes: spec.allowedScopes } : {}),
      });
      part.findings.push({ kind: 'user-missing', email: spec.email });
      continue;
    }
    if (user.disabled || recorded?.disabled) {
      part.findings.push({ kind: 'user-disabled', email: spec.email });
      continue;
    }
    if (!recorded || recorded.guid !== user.guid) {
      part.actions.push({ kind: 'record-user', email: spec.email, guid: user.guid });
      part.findings.push({ kind: 'user-not-recorded', email: spec.email });
    }
    if (spec.allowedScopes && !sameSet(user.allowedScopes, spec.allowedScopes)) {
      part.actions.push({
        kind: 'update-user-scopes',
        email: spec.email,
        guid: user.guid,
        from: user.allowedScopes,
        to: spec.allowedScopes,
      });
      part.findings.push({
        kind: 'user-scopes-changed',
        email: spec.email,
        expected: spec.allowedScopes,
        actual: user.allowedScopes,
      });
    }
  }

  const namedKeys = new Set(named.map((u) => emailKey(u.email)));
  for (const recorded of observed.recordedUsers) {
    if (namedKeys.has(emailKey(recorded.email)) || recorded.disabled) continue;
    const user = users.byGuid.get(recorded.guid);
    if (!user || user.disabled) continue; // gone from the IdP, or disabled already
    part.findings.push({ kind: 'user-unnamed', email: recorded.email, guid: recorded.guid });
    if (prune) part.actions.push({ kind: 'disable-user', email: recorded.email, guid: recorded.guid });
  }
  return part;
}

/**
 * The IdP writes an action makes (none for the schedules, which write to Temporal, nor for recording a user
 * or reusing a stored credential, which write the ledger and the secret store only). A rotation creates a key and deletes the old one.
 */
export function writesOf(action: BankAction): IdpOperation[] {
  switch (action.kind) {
    case 'create-application':
      // Making a stored credential current again writes nothing on the IdP.
      return action.reuses ? [] : ['createBankApplication'];
    case 'update-application':
      return ['updateBankApplication'];
    case 'rotate-credential':
      return ['createBankApplication', 'deleteBankApplication'];
    case 'create-user':
      return ['createUser'];
    case 'update-user-scopes':
      return ['updateUser'];
    case 'disable-user':
      return ['disableUser'];
    case 'record-user':
    case 'schedule-rotation':
    case 'remove-rotation-schedule':
      return [];
  }
}

/** Every IdP write `actions` make, each once. */
export const writesOfAll = (actions: readonly BankAction[]): IdpOperation[] => [
  ...new Set(actions.flatMap(writesOf)),
];

/**
 * Says on each action who makes it, from the worker's decisions: a person when any of its writes is left to
 * a person; the worker otherwise (and for recording a user, which writes nothing on the IdP).
 */
export function withWriters(
  actions: readonly BankAction[],
  decisions: readonly WriteDecision[],
): BankAction[] {
  const byPerson = new Set(decisions.filter((d) => d.writer === 'person').map((d) => d.operation));
  return actions.map((action) => {
    if (action.kind === 'schedule-rotation' || action.kind === 'remove-rotation-schedule') return action;
    const by: ActionWriter = writesOf(action).some((op) => byPerson.has(op)) ? 'person' : 'worker';
    return { ...action, by };
  });
}
