/**
 * Heartbeats now and then rather than per item: every heartbeat is encoded, compressed and encrypted in full,
 * and what happened since the last one is found again from durable records by a retried attempt.
 */
import { heartbeat } from '@temporalio/activity';

/** How often at most a batch heartbeats its progress while items finish one by one. */
export const HEARTBEAT_EVERY_MS = 1_000;

/** A function that calls `send(details)` at most once per `everyMs`; calls in between are dropped. */
export function throttled<T>(details: T, send: (details: T) => void, everyMs: number): () => void {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    send(details);
  };
}

/** The activity's heartbeat of `progress`, at most every HEARTBEAT_EVERY_MS. */
export const throttledHeartbeat = (progress: unknown) => throttled(progress, heartbeat, HEARTBEAT_EVERY_MS);
