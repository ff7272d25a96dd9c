/** What the activities need from the outside world; the worker builds it once from configuration. */
import type { IdpClient } from '../idp/client.js';
import type { ProvisioningLedger } from '../ledger/index.js';
import type { SecretStore } from '../secrets/index.js';

export interface ActivityDeps {
  idp: IdpClient;
  secrets: SecretStore;
  ledger: ProvisioningLedger;
  /** The IdP's token endpoint, written into each credential document for the bank's services. */
  tokenUrl: string;
  /** Concurrent IdP calls within one user batch. */
  userConcurrency: number;
  /**
   * How old an application without a stored secret must be before it counts as an orphan of a lost create
   * response and is deleted. Younger ones may belong to a create still in flight (another attempt).
   */
  orphanGraceMs: number;
  /**
   * Where events leave the worker (the HTTP API's webhooks, once wired); unset, they are only logged. Called
   * again with the same idempotency key when an activity is retried.
   */
  publishEvent?: (type: string, payload: unknown, options: { idempotencyKey: string }) => Promise<void>;
}
