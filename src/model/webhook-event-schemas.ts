/**
 * The schemas of webhook events: the body receivers get and the failure summary a failed operation's event
 * holds. Outside the workflow bundle (workflows import only their types).
 */
import { z } from 'zod';
import {
  WEBHOOK_EVENT_TYPES,
  type CredentialExpiringData as CredentialExpiringShape,
} from './workflow-safe/webhook-events.js';

export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) => `${String(issue.input)} is not a known event type (${WEBHOOK_EVENT_TYPES.join(', ')})`,
});

/**
 * One event, as receivers get it (the body of the POST). `id` is the event's stable id, also sent as the
 * `webhook-id` header: every delivery attempt of the event carries the same one, so receivers drop
 * duplicates by it.
 */
export const WebhookEvent = z.object({
  id: z.string(),
  type: WebhookEventType,
  /** When the event happened (ISO 8601). */
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** What an operation's failure event says of the failure: the innermost cause's type and message. */
export const OperationFailureSummary = z.object({ type: z.string(), message: z.string() });
export type OperationFailureSummary = z.infer<typeof OperationFailureSummary>;

/** The data of `credential.expiring`: a drift check found a credential within its expiry window. */
export const CredentialExpiringData = z.object({
  manifest: z.string(),
  bankGuid: z.string(),
  clientId: z.string(),
  expiresAt: z.string(),
  /** From the check to the expiry, in milliseconds (negative once it has passed). */
  expiresInMs: z.number(),
  /** Whether this check started the workflow that renews it (a rotation, or an apply that rotates it). */
  rotationStarted: z.boolean(),
  /** That workflow, when one was started. */
  workflowId: z.string().optional(),
}) satisfies z.ZodType<CredentialExpiringShape>;
export type CredentialExpiringData = z.infer<typeof CredentialExpiringData>;
