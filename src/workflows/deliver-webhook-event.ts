/**
 * deliverWebhookEvent: one event to every subscription that wants it, each delivery an activity that Temporal
 * retries with backoff for up to a day. One workflow per event, started by the operation as it ends (and
 * left running on its own), so a receiver that is down never keeps a bank's operation open.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { WebhookEvent } from '../model/webhook-event-schemas.js';

/** How long an event is retried for one receiver before it is given up. */
export const WEBHOOK_DELIVERY_WINDOW = '24h';

const { webhookSubscriptionsFor } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

const { deliverWebhook } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: WEBHOOK_DELIVERY_WINDOW,
  // 5 s, 10 s, 20 s, … up to an hour between attempts: a receiver back within minutes gets it within minutes.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1h' },
});

export interface WebhookDeliveryResult {
  delivered: string[];
  skipped: { subscriptionId: string; reason: string }[];
}

/** Started only by the operations' own workflows (emitEvent), with an event they built: no input check. */
export async function deliverWebhookEvent(event: WebhookEvent): Promise<WebhookDeliveryResult> {
  const subscriptions = await webhookSubscriptionsFor({ type: event.type });
  const outcomes = await Promise.allSettled(
    subscriptions.map((subscription) =>
      deliverWebhook.executeWithOptions(
        { summary: `POST ${event.type} to ${subscription.host} (${subscription.id})` },
        [{ subscriptionId: subscription.id, event }],
      ),
    ),
  );
  const result: WebhookDeliveryResult = { delivered: [], skipped: [] };
  const failed: string[] = [];
  outcomes.forEach((outcome, i) => {
    const subscriptionId = subscriptions[i]!.id;
    if (outcome.status === 'rejected') failed.push(subscriptionId);
    else if (outcome.value.delivered) result.delivered.push(subscriptionId);
    else result.skipped.push({ subscriptionId, reason: outcome.value.reason });
  });
  if (failed.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `Event ${event.id} (${event.type}) was not delivered to ${failed.join(', ')} within ${WEBHOOK_DELIVERY_WINDOW}; delivered to ${result.delivered.length} others`,
      'WebhookNotDelivered',
    );
  }
  return result;
}
