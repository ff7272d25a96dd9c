/**
 * Group commit: callers that arrive while a flush is running wait for the next one, which covers them all.
 * Each caller's promise settles when a flush that started after its call has finished, so it has the same
 * guarantee as a flush of its own (its item is durable), at the cost of one flush per group instead of one
 * per caller. Used for the writes made per user (ledger rows, directory syncs of the local secret store).
 */
export function groupCommit<T>(flush: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let waiting: { items: T[]; done: Promise<void> } | undefined;
  let running: Promise<void> = Promise.resolve();

  return (item: T) => {
    if (!waiting) {
      const group: { items: T[]; done?: Promise<void> } = { items: [] };
      // The group flushes once the flush before it is over; until then, later callers join it.
      group.done = running.then(() => {
        if (waiting === group) waiting = undefined;
        return flush(group.items);
      });
      running = group.done.catch(() => undefined);
      waiting = group as { items: T[]; done: Promise<void> };
    }
    waiting.items.push(item);
    return waiting.done;
  };
}
