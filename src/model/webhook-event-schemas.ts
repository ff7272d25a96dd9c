/**
 * The schemas of webhook events: the body receivers get and the failure summary a failed operation's event
 * holds. Outside the workflow bundle (workflows import only their types).
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './workflow-safe/webhook-events.js';

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
