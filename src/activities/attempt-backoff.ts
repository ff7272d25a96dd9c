/**
 * When a batch's attempt is retried. Temporal's own backoff grows with every attempt however much each one
 * achieved; a batch that moves should be retried soon, and back off only while nothing moves. So an attempt
 * counts, in its heartbeated progress, the attempts in a row that got nothing done (`stalled`), and sets the
 * retry's delay itself.
 */
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { z } from 'zod';
import { DirectoryWalk } from './user-directory.js';

/** The wait after an attempt that got something done; doubled for each one in a row that did not. */
export const RETRY_AFTER_PROGRESS_MS = 1_000;
export const MAX_RETRY_DELAY_MS = 30_000;

/** What an attempt leaves for the next: its walk of the user list, and the attempts in a row that stalled. */
export const Resumable = z.object({
  walk: DirectoryWalk.optional(),
  stalled: z.number().int().min(0).default(0),
});
export type Resumable = z.infer<typeof Resumable>;

/** The delay before the next attempt: the backoff for `stalled` attempts, or longer if the IdP asked. */
export const retryDelayMs = (stalled: number, retryAfterMs: number) =>
  Math.max(Math.min(RETRY_AFTER_PROGRESS_MS * 2 ** stalled, MAX_RETRY_DELAY_MS), retryAfterMs);

/**
 * The progress without its counts of attempts, to tell whether an attempt changed it (a walk that found
 * nothing is no progress: the next one waits longer).
 */
export function snapshot(progress: Resumable & { fruitlessWalks?: number }): string {
  const { stalled: _stalled, fruitlessWalks: _walks, ...rest } = progress;
  return JSON.stringify(rest);
}

/**
 * The failure that makes Temporal retry the attempt, saying what is `left` and naming the first cause (its
 * type too, so retries show e.g. IdpUnavailable with the IdP's status and message_code).
 * `progress.stalled` is updated and heartbeated with the rest of the progress; a 429's Retry-After is
 * honoured.
 */
export function retryLater(left: string, causes: ApplicationFailure[], progress: Resumable, before: string) {
  progress.stalled = snapshot(progress) === before ? progress.stalled + 1 : 0;
  heartbeat(progress);
  const cause = causes[0];
  const retryAfter = Math.max(0, ...causes.map((c) => Number(c.nextRetryDelay ?? 0)));
  return ApplicationFailure.create({
    type: cause?.type ?? 'UsersPending',
    message: `${left} (the next attempt resumes there)${cause ? `: ${cause.message}` : ''}`,
    nextRetryDelay: retryDelayMs(progress.stalled, retryAfter),
  });
}
