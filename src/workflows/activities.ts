/**
 * The activities as workflows call them, with their timeouts and retry policy: Temporal does the retrying,
 * not the HTTP client.
 *
 * Short steps (a handful of IdP calls, a secret-store or ledger write, the input check) run as local
 * activities: in the worker that runs the workflow, without a round trip through the Temporal server per
 * step, which is what an activity costs most. Each keeps its summary (on its marker) and Temporal retries it
 * the same way. Local activities that follow each other run within one workflow task, so the workflow sees
 * a query, an update or a cancellation only once they are all done: a workflow that waits for an operator
 * between its steps (rotation) runs them as activities (`activitySteps`). Steps that heartbeat (users in
 * batches) are always activities.
 */
import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityInterfaceFor,
  type ActivityOptions,
  type LocalActivityInterfaceFor,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const retry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  // Secret-store failures that a retry cannot fix (IdP errors carry their own retryability).
  nonRetryableErrorTypes: ['SecretNotFound', 'SecretRevoked', 'SecretStoreCorrupt', 'SecretConflict'],
};

/** Each bounded by the client's request timeout, so a crashed worker's attempt is retried soon. */
const shortStep = { startToCloseTimeout: '30s', retry } satisfies ActivityOptions;

type LongSteps =
  'ensureUsers' | 'resolveUsers' | 'disableUserBatch' | 'observeBanks' | 'observeOrganizationUsers';
type ShortSteps = Omit<Activities, LongSteps>;

/** The short steps; `checkWorkflowInput` is only ever called as a local activity. */
const localSteps = proxyLocalActivities<ShortSteps>(shortStep);
/**
 * The same steps as activities: for workflows that wait for an operator between steps, and for runs begun
 * before short steps were local activities.
 */
export const activitySteps = proxyActivities<ShortSteps>(shortStep);

/**
 * Marks runs that check their input and run their short steps as local activities, with users in batches of
 * 500. Runs begun before it replay their history as they ran: short steps as activities, batches of 100, the
 * input checked inside the sandbox at their start.
 */
const LOCAL_STEPS_PATCH = 'local-short-steps';

let begunWithLocalSteps: boolean | undefined;

/**
 * Whether this run began with local short steps, decided once, at its start (workflow modules are per run),
 * so a run begun before keeps its way for its whole life and its history replays unchanged.
 */
export const hasLocalSteps = () => (begunWithLocalSteps ??= patched(LOCAL_STEPS_PATCH));

/** The short steps of this run. */
export const steps = (): ActivityInterfaceFor<ShortSteps> | LocalActivityInterfaceFor<ShortSteps> =>
  hasLocalSteps() ? localSteps : activitySteps;

/**
 * Batches of users and banks, and walks over the user list: a heartbeat per user, bank or page (for user
 * batches, with the progress a retry resumes from), so a stuck or killed attempt is noticed within the
 * heartbeat timeout and a cancellation reaches it. No single step between heartbeats takes longer than one
 * IdP request.
 */
export const { ensureUsers, resolveUsers, disableUserBatch, observeBanks, observeOrganizationUsers } =
  proxyActivities<Activities>({
    startToCloseTimeout: '15m',
    heartbeatTimeout: '20s',
    retry,
  });
