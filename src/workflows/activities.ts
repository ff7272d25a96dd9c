/**
 * The activities as workflows call them, with their timeouts and retry policy: Temporal does the retrying,
 * not the HTTP client.
 */
import { proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const retry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  // Secret-store failures that a retry cannot fix (IdP errors carry their own retryability).
  nonRetryableErrorTypes: ['SecretNotFound', 'SecretRevoked', 'SecretStoreCorrupt', 'SecretConflict'],
};

/**
 * Single steps: a handful of IdP calls, a secret-store or a ledger write, each bounded by the client's
 * request timeout. Short, so a crashed worker's attempt is retried soon.
 */
export const {
  ensureBankApplication,
  createPendingBankApplication,
  verifyBankCredential,
  removeBankApplication,
  listBankApplicationIds,
  promoteBankCredential,
  revokeStoredCredentials,
  currentBankCredential,
  recordRotation,
  provisionedUserGuids,
  observeUsers,
  updateBankApplication,
  recordDisabledUsers,
  publishDriftReport,
} = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry });

/**
 * Batches of users and banks, and walks over the user list: a heartbeat per user, bank or page (for user
 * batches, with the progress a retry resumes from), so a stuck or killed attempt is noticed within the heartbeat timeout and a cancellation
 * reaches it. No single step between heartbeats takes longer than one IdP request.
 */
export const { ensureUsers, resolveUsers, disableUserBatch, observeBanks, observeOrganizationUsers } =
  proxyActivities<Activities>({
    startToCloseTimeout: '15m',
    heartbeatTimeout: '20s',
    retry,
  });
