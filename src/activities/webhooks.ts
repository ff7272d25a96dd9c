/**
 * Webhook delivery: which subscriptions want an event, and one signed POST of it to one receiver. Temporal
 * retries a failed attempt (see the delivery workflow's retry policy); every attempt is signed anew with the
 * same event id. Redirects are not followed: only the URL the operator configured is called.
 */
import { ApplicationFailure, cancellationSignal } from '@temporalio/activity';
import ky from 'ky';
import { parseRetryAfter } from '../idp/errors.js';
import type { WebhookEvent } from '../model/webhook-event-schemas.js';
import { SecretNotFound, SecretRevoked } from '../secrets/index.js';
import { subscribes } from '../webhooks/subscriptions.js';
import { signatureHeaders } from '../webhooks/signing.js';
import type { ActivityDeps } from './deps.js';

/** How long one attempt may take until the receiver's answer arrives. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** A receiver's Retry-After is honoured up to this. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export type DeliveryOutcome = { delivered: true; status: number } | { delivered: false; reason: string };

export function webhookActivities({ ledger, secrets }: Pick<ActivityDeps, 'ledger' | 'secrets'>) {
  /** The subscriptions that receive `type`: ids, and hosts for operators to read (nothing secret). */
  async function webhookSubscriptionsFor(input: { type: string }): Promise<{ id: string; host: string }[]> {
    return (await ledger.webhookSubscriptions())
      .filter((subscription) => subscribes(subscription, input.type))
      .map(({ id, url }) => ({ id, host: new URL(url).host }));
  }

  /**
   * POSTs the event to the subscription's URL; a 2xx answer is a delivery. The subscription is read at each
   * attempt, so one removed meanwhile is no longer called.
   */
  async function deliverWebhook(input: {
    subscriptionId: string;
    event: WebhookEvent;
  }): Promise<DeliveryOutcome> {
    const subscription = await ledger.webhookSubscription(input.subscriptionId);
    if (!subscription) return { delivered: false, reason: 'the subscription was removed' };
    let secret: string;
    try {
      secret = (await secrets.get(subscription.secretRef)).value;
    } catch (err) {
      if (err instanceof SecretNotFound || err instanceof SecretRevoked) {
        return { delivered: false, reason: 'the subscription was removed (its signing secret is revoked)' };
      }
      throw err;
    }
    const body = JSON.stringify(input.event);
    let response: Response;
    try {
      response = await ky.post(subscription.url, {
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'cybrid-provisioner-webhooks',
          ...signatureHeaders(secret, input.event.id, body),
        },
        timeout: ATTEMPT_TIMEOUT_MS,
        retry: 0,
        throwHttpErrors: false,
        redirect: 'manual',
        signal: cancellationSignal(),
      });
      await response.body?.cancel(); // only the status matters
    } catch (err) {
      throw ApplicationFailure.retryable(
        `Webhook receiver ${subscription.id} could not be reached: ${(err as Error).message}`,
        'WebhookReceiverUnreachable',
      );
    }
    if (response.status >= 200 && response.status < 300) return { delivered: true, status: response.status };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    throw ApplicationFailure.create({
      type: 'WebhookReceiverRefused',
      message: `Webhook receiver ${subscription.id} answered ${response.status}`,
      nextRetryDelay: retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS),
    });
  }

  return { webhookSubscriptionsFor, deliverWebhook };
}
