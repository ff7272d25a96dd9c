/**
 * The lanes a batch's users go through: `idp` bounds the concurrent IdP calls (the configured user
 * concurrency), `store` the users whose invite and ledger row are being written (as many). A user keeps its
 * IdP slot until it has entered the store lane, so a worker killed mid-batch loses the invite URL of at most
 * the users in these two lanes (created, but not stored yet), however slow the store.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export interface Lanes {
  idp: LimitFunction;
  store: LimitFunction;
}

export const lanesOf = (concurrency: number): Lanes => ({
  idp: pLimit(concurrency),
  store: pLimit(concurrency),
});

/**
 * Queues `work` in `lane` and resolves once it has started there (so the caller may give up its own slot),
 * with `stored`, the promise of its result.
 */
export async function handOver<T>(
  lane: LimitFunction,
  work: () => Promise<T>,
): Promise<{ stored: Promise<T> }> {
  let entered!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const stored = lane(() => {
    entered();
    return work();
  });
  await Promise.race([started, stored]);
  return { stored };
}
