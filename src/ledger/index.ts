/** The provisioning ledger's public API. */
export type { LedgerUser, ProvisioningLedger, RotationRecord, TaskCompletionRecord } from './ledger.js';
export { openLedger, type LedgerLocation } from './open.js';
export type { ApiKeyRecord } from './api-keys.js';
export type { IdempotencyRecord, Reservation, StoredResponse } from './idempotency.js';
export type { WebhookSubscription } from './webhook-subscriptions.js';
