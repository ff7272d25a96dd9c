/**
 * Webhook events: what the operations tell operator-configured receivers when they end (or wait for an
 * operator). Workflow-safe and free of zod (the workflow bundle carries none; the schemas are in
 * webhook-event-schemas.ts): the workflows build the events, the delivery workflow and activity send them,
 * the API documents them in its OpenAPI document.
 */

/** The event each operation sends when it completes and when it fails, by workflow type. */
export const OPERATION_EVENTS = {
  onboardBank: { completed: 'bank.onboarded', failed: 'bank.onboarding_failed' },
  rotateBankCredentials: {
    completed: 'bank.credentials_rotated',
    failed: 'bank.credentials_rotation_failed',
  },
  revokeBankCredentials: {
    completed: 'bank.credentials_revoked',
    failed: 'bank.credentials_revocation_failed',
  },
  offboardBank: { completed: 'bank.offboarded', failed: 'bank.offboarding_failed' },
  disableUsers: { completed: 'users.disabled', failed: 'users.disabling_failed' },
} as const;

export type EventfulOperation = keyof typeof OPERATION_EVENTS;

/** An operation that may open tasks for a person, as its task events name it (a reconcile sends no event of its own). */
export type TaskOperation = EventfulOperation | 'reconcileBank';

/** A rotation's new credential is current and the old one waits for its grace period or completeRotation. */
export const ROTATION_WAITING_EVENT = 'bank.credentials_rotation_waiting';

/** A drift check found differences between a manifest and the IdP; the event's data is the drift report. */
export const DRIFT_DETECTED_EVENT = 'drift.detected';

/**
 * A drift check found a bank's credential within its expiry window (the bank's `beforeExpiry`, else the
 * default notice). Sent once per check and credential: each scheduled check while it stays due sends it
 * again, with less time left, so receivers hear it escalate as the expiry nears.
 */
export const CREDENTIAL_EXPIRING_EVENT = 'credential.expiring';

/** The data of `credential.expiring` (its zod schema: webhook-event-schemas.ts). */
export interface CredentialExpiringData {
  manifest: string;
  bankGuid: string;
  clientId: string;
  expiresAt: string;
  /** From the check to the expiry, in milliseconds (negative once it has passed). */
  expiresInMs: number;
  /** Whether this check started the workflow that renews it (a rotation, or an apply that rotates it). */
  rotationStarted: boolean;
  /** That workflow, when one was started. */
  workflowId?: string;
}

/** A task for a person (model/workflow-safe/tasks.ts): opened, recalled, done, or left undone past its deadline. */
export const TASK_EVENTS = {
  requested: 'task.requested',
  reminder: 'task.reminder',
  completed: 'task.completed',
  expired: 'task.expired',
} as const;

/** Every event type a subscription can ask for. New kinds of event are added here. */
export const WEBHOOK_EVENT_TYPES = [
  ...Object.values(OPERATION_EVENTS).flatMap(({ completed, failed }) => [completed, failed]),
  ROTATION_WAITING_EVENT,
  DRIFT_DETECTED_EVENT,
  CREDENTIAL_EXPIRING_EVENT,
  ...Object.values(TASK_EVENTS),
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * An operation's public id: its workflow id and the run that started it. Operations on one bank share the
 * workflow id `bank-<guid>`, so the run tells them apart; `~` appears in neither part.
 */
export const operationIdOf = (workflowId: string, runId: string) => `${workflowId}~${runId}`;

export function parseOperationId(operationId: string): { workflowId: string; runId: string } | undefined {
  const separator = operationId.lastIndexOf('~');
  if (separator <= 0 || separator === operationId.length - 1) return undefined;
  return { workflowId: operationId.slice(0, separator), runId: operationId.slice(separator + 1) };
}
