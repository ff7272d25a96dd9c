/**
 * The IdP's rate limit, shared by the workers of a task queue. Temporal knows which workers poll the task
 * queue; each worker counts them every few seconds and spaces its own IdP requests at its part of the limit
 * (limit / workers). Together they stay within the limit without asking each other, and a worker that joins
 * or leaves changes every worker's part within one count.
 *
 * Why not the task queue's own rate limit (maxTaskQueueActivitiesPerSecond): it counts activity tasks, and a
 * user batch is hundreds of IdP requests; the server also spreads it over the task queue's partitions, which
 * dispatch in bursts of several tasks at once. Paced requests keep the IdP's count exact.
 */
import type { NativeConnection } from '@temporalio/worker';
import type { RequestPacer } from '../idp/pacer.js';
import type { Logger } from '../log.js';
import { recentPollers } from './state-guard.js';

/** How often the workers are counted again. */
const COUNT_EVERY_MS = 5_000;

export interface RateShareOptions {
  connection: Pick<NativeConnection, 'workflowService'>;
  namespace: string;
  taskQueue: string;
  /** This worker's identity: it counts itself before its first poll. */
  identity: string;
  /** Requests per second for all workers together. */
  limit: number;
  pacer: RequestPacer;
  logger: Logger;
}

/** Counts the workers now and then keeps counting, until the returned function is called. */
export async function shareIdpRateLimit(options: RateShareOptions): Promise<() => void> {
  const { pacer, limit, logger } = options;
  const recount = async () => {
    const workers = (await recentPollers(options.connection, options)).add(options.identity).size;
    if (pacer.requestsPerSecond !== limit / workers) {
      pacer.setRate(limit / workers);
      logger.info({ limit, workers, requestsPerSecond: limit / workers }, 'IdP rate limit shared');
    }
  };
  await recount();
  const timer = setInterval(() => {
    // A failed count keeps the last part: the next one will tell.
    recount().catch((err: unknown) => logger.warn({ err }, 'could not count the workers'));
  }, COUNT_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
