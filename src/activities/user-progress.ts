/**
 * The heartbeat details of the user activities: where each user of a batch stands, so a retried attempt
 * resumes where the last one stopped and never repeats a finished user.
 */
import { activityInfo } from '@temporalio/activity';
import { z } from 'zod';
import type { UserSpec } from '../model/contract.js';
import { Resumable } from './attempt-backoff.js';

/** Where one user of the batch stands. */
export const UserOutcome = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('done'),
    guid: z.string(),
    created: z.boolean(),
    inviteRef: z.string().optional(),
  }),
  /** The IdP answered 409; `guid` and `allowedScopes` once the user is found. */
  z.object({
    state: z.literal('exists'),
    guid: z.string().optional(),
    allowedScopes: z.array(z.string()).nullable().optional(),
  }),
  z.object({ state: z.literal('refused'), type: z.string(), message: z.string() }),
]);
export type UserOutcome = z.infer<typeof UserOutcome>;

/** The heartbeat details of ensureUsers: an outcome per user of the batch (null: not tried yet). */
export const EnsureUsersProgress = Resumable.extend({
  outcomes: z.array(UserOutcome.nullable()),
  /** Whole walks of the user list that ended with users the IdP answered 409 for still not found. */
  fruitlessWalks: z.number().int().min(0).default(0),
});
export type EnsureUsersProgress = z.infer<typeof EnsureUsersProgress>;

/** The heartbeat details of resolveUsers: the guid of each email (in order, without repeats) once found. */
export const ResolveUsersProgress = Resumable.extend({ guids: z.array(z.string().nullable()) });
export type ResolveUsersProgress = z.infer<typeof ResolveUsersProgress>;

/** The progress an earlier attempt heartbeated, or a fresh one (also when it does not fit this batch). */
export function resumedEnsureProgress(users: readonly UserSpec[]): EnsureUsersProgress {
  const parsed = EnsureUsersProgress.safeParse(activityInfo().heartbeatDetails);
  if (parsed.success && parsed.data.outcomes.length === users.length) return parsed.data;
  return { outcomes: users.map(() => null), stalled: 0, fruitlessWalks: 0 };
}

/** The same for resolveUsers, over `emails`. */
export function resumedResolveProgress(emails: readonly string[]): ResolveUsersProgress {
  const parsed = ResolveUsersProgress.safeParse(activityInfo().heartbeatDetails);
  if (parsed.success && parsed.data.guids.length === emails.length) return parsed.data;
  return { guids: emails.map(() => null), stalled: 0 };
}
