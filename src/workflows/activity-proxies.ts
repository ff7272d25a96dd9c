/**
 * The activities as workflows call them, with their timeouts and retry policy: Temporal does the retrying,
 * not the HTTP client.
 *
 * Steps that call the IdP, the secret store or the ledger (`steps()`) run as activities: the workflow task
 * that schedules one completes at once, each attempt and its failure are the server's to keep, and a worker
 * killed during an attempt costs that attempt (retried after its start-to-close timeout), never the attempts
 * before it. As local activities (how runs begun between the `local-short-steps` and `durable-steps` patches
 * run them) their attempts and retries stayed inside one workflow task: a killed worker lost all of them, and
 * after a few lost tasks in a row the server backed off the workflow's next task for up to ten minutes. The
 * cost is a round trip through the server per step: in `npm run bench -- --only throughput` the server's CPU
 * per one-user onboarding went from 42–43 to 51–53 ms, the worker's stayed at 40–46 ms, and onboardings per
 * second against the bare ceiling stayed within that run's noise (0.52–0.63 before, 0.73–0.86 after, on a
 * machine at load 11–23). `bench/crash-recovery.ts` shows what it buys (README, "What happens when
 * something fails").
 *
 * Quick steps (`quickSteps()`: the input check, which is pure, and the subscriber lookup, one small ledger
 * read) stay local activities, in the worker that runs the workflow, without a round trip: each attempt is
 * bounded to a few seconds, and a retry waits on a timer in history (a small `localRetryThreshold`), so no
 * workflow task of ours runs longer than that and a query, an update or a cancellation reaches the workflow
 * between its steps. Steps that heartbeat (users in batches) are always activities.
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
  | 'ensureUsers'
  | 'resolveUsers'
  | 'disableUserBatch'
  | 'observeBanks'
  | 'observeOrganizationUsers'
  | 'findInvitedUsers'
  | 'usersToDisable';
type ShortSteps = Omit<Activities, LongSteps>;
type QuickSteps = Pick<ShortSteps, 'checkWorkflowInput' | 'webhookSubscriptionsFor'>;

/**
 * Retries of a local activity longer than this wait on a timer in history (the first is 1 s), so a killed
 * worker loses one attempt, not the ones before it, and the workflow task ends between attempts.
 */
const localRetryThreshold = '500ms';

/** The quick steps, a few seconds at most per attempt, so the workflow task that runs one stays short. */
const quickLocalSteps = proxyLocalActivities<QuickSteps>({
  startToCloseTimeout: '5s',
  localRetryThreshold,
  retry,
});
/**
 * Every short step as a local activity: for runs begun between the two patches below, whose histories
 * hold markers where later runs have activities. Their retries too wait on timers from now on.
 */
const localSteps = proxyLocalActivities<ShortSteps>({ ...shortStep, localRetryThreshold });
/** The short steps as activities: what each step that calls the IdP, the secret store or the ledger is. */
export const activitySteps = proxyActivities<ShortSteps>(shortStep);

/**
 * Marks runs that check their input and run their short steps as local activities, with users in batches of
 * 500. Runs begun before it replay their history as they ran: short steps as activities, batches of 100, the
 * input checked inside the sandbox at their start.
 */
const LOCAL_STEPS_PATCH = 'local-short-steps';
/**
 * Marks runs (all of them with LOCAL_STEPS_PATCH) whose steps that call the IdP, the secret store or the
 * ledger are activities again, only the quick steps local.
 */
const DURABLE_STEPS_PATCH = 'durable-steps';

/** How a run runs its short steps, by the patches it began with. */
type StepsEra = 'activities' | 'local' | 'durable';
let era: StepsEra | undefined;

/**
 * Decided once, at the run's start (workflow modules are per run), so a run begun before keeps its way for
 * its whole life and its history replays unchanged.
 */
const stepsEra = (): StepsEra =>
  (era ??= !patched(LOCAL_STEPS_PATCH) ? 'activities' : patched(DURABLE_STEPS_PATCH) ? 'durable' : 'local');

/**
 * Whether this run has `patchId`, asked at its start: after the steps' own patches (their order in history
 * stays) and before any step. A patch first asked right after a local activity (the input check) replays
 * wrongly when a query split that workflow task: the local activity's result then replays in the earlier
 * task, where the patch's marker is not yet in sight, so it reads as absent and the run is nondeterministic.
 */
export function patchedAtStart(patchId: string): boolean {
  stepsEra();
  return patched(patchId);
}

/** Whether this run checks its input as a local activity and provisions users in batches of 500. */
export const hasLocalSteps = () => stepsEra() !== 'activities';

/** The short steps of this run: the IdP, the secret store and the ledger. */
export const steps = (): ActivityInterfaceFor<ShortSteps> | LocalActivityInterfaceFor<ShortSteps> =>
  stepsEra() === 'local' ? localSteps : activitySteps;

/** The quick steps of this run: the input check and the subscriber lookup. */
export const quickSteps = (): ActivityInterfaceFor<QuickSteps> | LocalActivityInterfaceFor<QuickSteps> => {
  const current = stepsEra();
  return current === 'durable' ? quickLocalSteps : current === 'local' ? localSteps : activitySteps;
};

/**
 * Batches of users and banks, and walks over the user list: a heartbeat per user, bank or page (for user
 * batches, with the progress a retry resumes from), so a stuck or killed attempt is noticed within the
 * heartbeat timeout and a cancellation reaches it. No single step between heartbeats takes longer than one
 * IdP request.
 */
export const {
  ensureUsers,
  resolveUsers,
  disableUserBatch,
  observeBanks,
  observeOrganizationUsers,
  findInvitedUsers,
  usersToDisable,
} = proxyActivities<Activities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '20s',
  retry,
});
