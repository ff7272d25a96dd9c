/**
 * The parts of the contract that workflow code uses at run time: workflow and schedule ids, the default grace
 * period and expiry notice, the one-line status. Free of zod on purpose: the zod schemas (contract.ts) check inputs outside the workflow
 * sandbox, so the workflow bundle does not carry zod, which every workflow run would otherwise instantiate
 * again (the SDK gives each run its own module cache).
 */
/** How long consumers get to switch to a new credential before the previous one is deleted, by default. */
export const DEFAULT_GRACE_PERIOD = '24h';

/**
 * How many failures a status answer or an operation's failure lists, the first ones, beside their count: an
 * answer must stay small (a query result or a payload) however many users were refused.
 */
export const FAILURES_LISTED = 100;

/** What `describeProgress` reads of an `OperationStatus` (contract.ts), named here so the two files need not import each other. */
interface ProgressFields {
  operation: string;
  bankGuid?: string;
  step: string;
  users?: { done: number; total: number };
  failures: readonly unknown[];
  failureCount?: number;
}

/** The status as one line, as the Web UI's current details and the CLI's progress show it. */
export function describeProgress(status: ProgressFields): string {
  const bank = status.bankGuid ? ` (bank ${status.bankGuid})` : '';
  const users = status.users ? ` — users ${status.users.done}/${status.users.total}` : '';
  const failed = status.failureCount ?? status.failures.length;
  const failures = failed ? ` — ${failed} failed` : '';
  return `${status.operation}${bank}: ${status.step}${users}${failures}`;
}

/** A guid as the IdP writes it: 32 lowercase hexadecimal characters (idp-schemas' `Guid` names the rule). */
export const GUID_PATTERN = /^[0-9a-f]{32}$/;

// Every workflow and Schedule id, in one place: operators find them by these prefixes.

/** The deterministic id of every per-bank operation: one id per bank makes operations mutually exclusive. */
export const bankWorkflowId = (bankGuid: string) => `bank-${bankGuid}`;

/** The workflow id of the manifest's apply: one apply of a manifest at a time. */
export const applyWorkflowId = (manifestName: string) => `apply-${manifestName}`;

/** The id of the manifest's drift Schedule. */
export const driftScheduleId = (manifestName: string) => `desired-state-${manifestName}`;

/** The workflow id the drift Schedule starts its checks under. */
export const scheduledDriftCheckWorkflowId = (manifestName: string) => `drift-${manifestName}`;

/** A one-off drift check's workflow id (`unique` tells runs apart: several may run at once). */
export const driftCheckWorkflowId = (manifestName: string, unique: string) =>
  `drift-${manifestName}-${unique}`;

/** A plan's workflow id (`unique` tells runs apart: several may run at once). */
export const planWorkflowId = (manifestName: string, unique: string) => `plan-${manifestName}-${unique}`;

/** The id of the bank's rotation Schedule. */
export const rotationScheduleId = (bankGuid: string) => `rotate-${bankGuid}`;

/** The workflow id the rotation Schedule starts its runs under. */
export const scheduledRotationWorkflowId = (bankGuid: string) => `scheduled-rotation-${bankGuid}`;

/** The workflow id that delivers a webhook event: one delivery per event. */
export const webhookDeliveryWorkflowId = (eventId: string) => `webhook-${eventId}`;

/** How long before its expiry a credential is reported as expiring, when its bank sets no `beforeExpiry`. */
export const DEFAULT_EXPIRY_NOTICE = '14d';

/** The workflow id of a disableUsers request: the same request id always names the same workflow. */
export const disableUsersWorkflowId = (requestId: string) => `disable-users-${requestId}`;
