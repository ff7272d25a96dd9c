/** Work on many users, one activity per batch: onboarding creates them, disabling and offboarding disable them. */
import { hasLocalSteps } from './activity-proxies.js';
import type { StatusTracker } from './status.js';

/**
 * Users per activity. A batch resumes from its heartbeated progress, so its size does not bound the work a
 * retry repeats; a large one keeps history short and the IdP busy (each batch ends with a tail of fewer
 * requests than the concurrency, and a round trip through Temporal before the next one begins).
 */
export const BATCH_SIZE = 500;
/** The batch size of runs begun before batches of BATCH_SIZE (see activity-proxies.ts). */
const EARLIER_BATCH_SIZE = 100;

/**
 * Runs `work` on consecutive batches of `items`, one after the other, and shows users done/total after each.
 * `range` names the batch for its activity summary, e.g. "101–200 of 1000".
 */
export async function inBatches<T>(
  items: readonly T[],
  progress: StatusTracker,
  work: (batch: T[], range: string) => Promise<unknown>,
): Promise<void> {
  const size = hasLocalSteps() ? BATCH_SIZE : EARLIER_BATCH_SIZE;
  progress.update({ users: { done: 0, total: items.length } });
  for (let start = 0; start < items.length; start += size) {
    const batch = items.slice(start, start + size);
    await work(batch, `${start + 1}–${start + batch.length} of ${items.length}`);
    progress.update({ users: { done: start + batch.length, total: items.length } });
  }
}
