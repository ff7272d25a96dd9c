/**
 * Writes a person makes: who writes (PROVISIONER_WRITE_MODE and the decision per write), and the tasks a
 * workflow opens for a person when the worker may not write (today's IdP leaves every write to a person in
 * the Partner Portal). Workflow-safe and free of zod: workflows build and show these; contract.ts holds the
 * zod schemas of what leaves the worker (the status query, results, `provisioner tasks --json`).
 */

/**
 * `auto`: the worker writes when its token holds the scope or a write token source is configured, and asks
 * a person otherwise; `automatic`: never ask (a write the worker may not make fails, IdpWriteNotPermitted);
 * `assisted`: always ask a person.
 */
export const WRITE_MODES = ['auto', 'automatic', 'assisted'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];
export const DEFAULT_WRITE_MODE: WriteMode = 'auto';

/** Who makes one kind of write, and why: shown in the operation's status. */
export interface WriteDecision {
  /** The IdP operation, e.g. createBankApplication. */
  operation: string;
  mode: WriteMode;
  writer: 'worker' | 'person';
  reason: string;
}

export const TASK_KINDS = [
  'create-bank-api-key',
  'invite-users',
  'delete-bank-api-key',
  'change-user-scopes',
  'disable-users',
  'change-bank-api-key',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What the person types in the Portal for a new bank API key. */
export interface CreateBankApiKeyValues {
  bankGuid: string;
  /** Exactly this name: it carries the operation's marker (application-names.ts). */
  name: string;
  ipAllowlist: string[];
  /** ISO 8601, the start of a UTC day (the Portal takes a date). */
  expiresAt: string;
}

export interface InviteUsersValues {
  users: { email: string; allowedScopes?: string[] }[];
}

/** The users a person disables in the Portal: each by its email, with its guid to tell them apart. */
export interface DisableUsersValues {
  users: { email: string; guid: string }[];
}

/** Each user a person gives a new set of scopes in the Portal: exactly `allowedScopes`, no more, no less. */
export interface ChangeUserScopesValues {
  users: { email: string; guid: string; allowedScopes: string[] }[];
}

/**
 * A bank API key a person edits in place in the Portal: its name and IP allowlist as they are to be. A guess:
 * the IdP's README says API keys are "updated" only in the Portal, but no page says what the Portal lets a
 * person edit; the task is checked by reading the key, so a Portal that cannot edit it shows as a task that
 * stays open (then rotate the bank: a new key carries the new settings).
 */
export interface ChangeBankApiKeyValues {
  bankGuid: string;
  clientId: string;
  name: string;
  ipAllowlist: string[];
}

/** The bank API key a person deletes in the Portal: the Portal lists keys by name, with their client id and guid. */
export interface DeleteBankApiKeyValues {
  clientId: string;
  guid: string;
  name: string;
}

export type TaskValues =
  | CreateBankApiKeyValues
  | InviteUsersValues
  | DisableUsersValues
  | DeleteBankApiKeyValues
  | ChangeUserScopesValues
  | ChangeBankApiKeyValues;

/** How a completion was established: a read of the IdP showed it, or a person said so. */
export type CompletionEvidence = 'verified' | 'confirmed';

export interface TaskCompletion {
  /** Who did it: `--by` on the CLI (default the OS user), or what the worker saw. */
  by: string;
  /** ISO 8601. */
  at: string;
  evidence: CompletionEvidence;
}

export type TaskState = 'open' | 'completed' | 'expired' | 'cancelled';

export interface PersonTask {
  /** `<operationId>~<n>`: its workflow id is what comes before the first `~`. */
  taskId: string;
  bankGuid: string;
  workflowId: string;
  kind: TaskKind;
  /** What to do, in words. */
  instructions: string;
  /** Every value the person types, as fields (a script may carry the task out too). */
  values: TaskValues;
  requestedAt: string;
  deadline: string;
  state: TaskState;
  remindersSent: number;
  /** Why the last submission or check did not complete it, for the person. */
  lastProblem?: string;
  completion?: TaskCompletion;
}

/** What an operation's result says of each task a person completed. */
export interface CompletedTask extends TaskCompletion {
  taskId: string;
  kind: TaskKind;
}

/** The longest `by` (who did it) a completion records. */
export const MAX_COMPLETER_LENGTH = 200;

/** What is wrong with `by` as who did or asked something, or undefined. */
export function completerProblem(by: string): string | undefined {
  if (!by.trim()) return 'say who did it (--by)';
  if (by.length > MAX_COMPLETER_LENGTH) return `--by must be at most ${MAX_COMPLETER_LENGTH} characters`;
  return undefined;
}

/** The workflow id of a task's operation (see PersonTask.taskId). */
export const workflowIdOfTask = (taskId: string): string | undefined => {
  const separator = taskId.indexOf('~');
  return separator > 0 ? taskId.slice(0, separator) : undefined;
};

/** The ApplicationFailure type of an operation whose task passed its deadline undone. */
export const TASK_EXPIRED = 'TaskExpired';

/** PROVISIONER_TASK_DEADLINE and PROVISIONER_TASK_REMINDER when unset. */
export const DEFAULT_TASK_DEADLINE = '7d';
export const DEFAULT_TASK_REMINDER = '24h';

/**
 * How often a task that a read can verify is checked by reading the IdP: after `firstCheckMs`, then twice
 * as long each time, at most `maxCheckMs` apart: cheap over days (a week costs about 180 checks), and
 * `provisioner tasks check` checks at once whatever the backoff says.
 */
export const TASK_CHECK_BACKOFF = { firstCheckMs: 30_000, maxCheckMs: 3_600_000 } as const;

/** Kinds a read of the IdP cannot show done (a disabled user has no state): a person confirms them. */
export const CONFIRMED_KINDS: readonly TaskKind[] = ['disable-users'];

/** The shortest reminder interval as a key's expiry nears: a person is not paged more often than hourly. */
const MIN_ESCALATED_REMINDER_MS = 3_600_000;

/**
 * When the next reminder of a task is due: `reminderMs` after `fromMs`, or sooner as `keyExpiresAt` (the
 * expiry of the key a rotation replaces) nears: at most a quarter of the time left, at least an hour apart.
 * The one rule of escalating reminders.
 */
export function nextReminderAt(fromMs: number, reminderMs: number, keyExpiresAt?: string): number {
  if (keyExpiresAt === undefined) return fromMs + reminderMs;
  const left = Date.parse(keyExpiresAt) - fromMs;
  return fromMs + Math.min(reminderMs, Math.max(Math.floor(left / 4), MIN_ESCALATED_REMINDER_MS));
}

/** How long until `expiresAt`, in words a reminder carries (e.g. `3 days 4 hours`, or `expired`). */
export function timeLeftIn(expiresAt: string, nowMs: number): string {
  const left = Date.parse(expiresAt) - nowMs;
  if (left <= 0) return 'expired';
  const hours = Math.floor(left / 3_600_000);
  const days = Math.floor(hours / 24);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days === 0) return hours === 0 ? 'less than an hour' : plural(hours, 'hour');
  return hours % 24 === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${plural(hours % 24, 'hour')}`;
}
