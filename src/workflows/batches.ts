/** Work on many users, one activity per batch: onboarding creates them, disabling and offboarding disable them. */
import type { StatusTracker } from './status.js';

/** Users per activity: small enough for a quick retry, large enough to keep history short. */
export const BATCH_SIZE = 100;

/**
 * Runs `work` on consecutive batches of `items`, one after the other, and shows users done/total after each.
 * `range` names the batch for its activity summary, e.g. "101–200 of 1000".
 */
export async function inBatches<T>(
  items: readonly T[],
  progress: StatusTracker,
  work: (batch: T[], range: string) => Promise<unknown>,
): Promise<void> {
  progress.update({ users: { done: 0, total: items.length } });
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    const batch = items.slice(start, start + BATCH_SIZE);
    await work(batch, `${start + 1}–${start + batch.length} of ${items.length}`);
    progress.update({ users: { done: start + batch.length, total: items.length } });
  }
}
