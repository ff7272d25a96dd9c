/**
 * Adding and removing webhook subscriptions (`provisioner webhook`): the receiver's URL and event types go
 * to the ledger, its signing secret to the secret store (a claim check: the ledger keeps only the reference).
 * Only URLs added here are ever called: no request can name a callback URL of its own.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ProvisioningLedger, WebhookSubscription } from '../ledger/index.js';
import { webhookSigningSecretName } from '../model/secret-names.js';
import { WebhookEventType } from '../model/webhook-event-schemas.js';
import type { SecretStore } from '../secrets/index.js';
import { generateSigningSecret } from './signing.js';

export const WebhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .refine(
    (url) => !new URL(url).username && !new URL(url).password,
    'must not carry a user name or password',
  );

export const WebhookEvents = z
  .array(WebhookEventType)
  .min(1, 'must name at least one event type')
  .refine((events) => new Set(events).size === events.length, 'must not name an event type twice')
  .optional();

export const subscribes = (subscription: Pick<WebhookSubscription, 'events'>, type: string) =>
  subscription.events.includes('*') || subscription.events.includes(type);

export interface SubscriptionStores {
  ledger: ProvisioningLedger;
  secrets: SecretStore;
}

/** Adds a subscription and returns it with its signing secret, which is shown to the operator once. */
export async function addWebhookSubscription(
  { ledger, secrets }: SubscriptionStores,
  input: { url: string; events?: string[] },
): Promise<{ subscription: WebhookSubscription; secret: string }> {
  const id = `wh_${randomBytes(8).toString('hex')}`;
  const secret = generateSigningSecret();
  const { ref } = await secrets.put(webhookSigningSecretName(id), secret);
  const subscription: WebhookSubscription = {
    id,
    url: input.url,
    events: input.events ?? ['*'],
    secretRef: ref,
    createdAt: new Date().toISOString(),
  };
  await ledger.addWebhookSubscription(subscription);
  return { subscription, secret };
}

/** Removes a subscription and revokes its signing secret; undefined when there was none. */
export async function removeWebhookSubscription(
  { ledger, secrets }: SubscriptionStores,
  id: string,
): Promise<WebhookSubscription | undefined> {
  const removed = await ledger.removeWebhookSubscription(id);
  if (!removed) return undefined;
  for (const { version, stage } of await secrets.versions(removed.secretRef)) {
    if (stage !== 'revoked') await secrets.revoke(removed.secretRef, version);
  }
  return removed;
}
