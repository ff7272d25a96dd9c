/** Webhook subscriptions in the ledger: the receivers an operator configured. Holds a reference to each signing secret, never the secret. */
import type { Kysely } from 'kysely';
import type { LedgerTables } from './schema.js';

export interface WebhookSubscription {
  id: string;
  url: string;
  /** Event types it receives; `['*']` for every event. */
  events: string[];
  /** Secret-store reference of the signing secret. */
  secretRef: string;
  createdAt: string;
}

export interface WebhookLedger {
  addWebhookSubscription(subscription: WebhookSubscription): Promise<void>;
  webhookSubscription(id: string): Promise<WebhookSubscription | undefined>;
  /** Oldest first. */
  webhookSubscriptions(): Promise<WebhookSubscription[]>;
  /** The removed subscription, or undefined when there was none. */
  removeWebhookSubscription(id: string): Promise<WebhookSubscription | undefined>;
}

const columns = ['id', 'url', 'events', 'secret_ref as secretRef', 'created_at as createdAt'] as const;
const fromRow = (row: Omit<WebhookSubscription, 'events'> & { events: string }): WebhookSubscription => ({
  ...row,
  events: row.events.split(','),
});

export function webhookLedger(db: Kysely<LedgerTables>): WebhookLedger {
  const one = async (id: string) => {
    const row = await db
      .selectFrom('webhook_subscriptions')
      .select(columns)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  };
  return {
    async addWebhookSubscription(s) {
      await db
        .insertInto('webhook_subscriptions')
        .values({
          id: s.id,
          url: s.url,
          events: s.events.join(','),
          secret_ref: s.secretRef,
          created_at: s.createdAt,
        })
        .execute();
    },
    webhookSubscription: one,
    async webhookSubscriptions() {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .select(columns)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },
    async removeWebhookSubscription(id) {
      const existing = await one(id);
      if (existing) await db.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
      return existing;
    },
  };
}
