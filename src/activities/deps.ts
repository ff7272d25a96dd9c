/** What the activities need from the outside world; the worker builds it once from configuration. */
import type { IdpClient } from '../idp/client.js';
import type { ProvisioningLedger } from '../ledger/index.js';
import type { WriteMode } from '../model/workflow-safe/tasks.js';
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
  /** PROVISIONER_WRITE_MODE: who makes the writes (idp/permissions.ts decideWrite). */
  writeMode: WriteMode;
  /** PROVISIONER_KEY_LIFETIME: the expiry of a new API key when none is asked for. */
  keyLifetimeMs: number;
  /** PROVISIONER_TASK_DEADLINE and PROVISIONER_TASK_REMINDER: an operation's defaults for its tasks. */
  taskDeadlineMs: number;
  taskReminderMs: number;
}
