/**
 * Finding existing organization users by email. The IdP has no email filter (its user list filters only by guid), so there are
 * two ways, cheapest first:
 *
 * 1. The ledger knows the guid of every user this worker provisioned for the bank: one list request
 *    filtered by guid (`guid=a,b,…`, up to a page of them) confirms they still exist under that email.
 * 2. Otherwise, walk the organization's whole user list. Pages are addressed by offset, so they are fetched
 *    concurrently; page 0 first (it gives the total), then from the last page back, since users created
 *    moments ago (a create whose answer was lost) sit at the end when the IdP lists oldest first [U: the
 *    IdP's order is unknown; any order is correct, this one is merely fast for the sandbox's]. The walk
 *    stops as soon as every wanted email is found. Its state is plain data the caller keeps in the
 *    activity's heartbeat details, so a retried attempt resumes the walk instead of starting over, and an
 *    organization of any size is walked with a heartbeat per page.
 */
import type { ApplicationFailure } from '@temporalio/common';
import pLimit from 'p-limit';
import { z } from 'zod';
import { applicationFailureUnlessCancelled } from '../idp/errors.js';
import { PAGE_SIZE } from '../idp/paginate.js';
import type { User } from '../model/idp-schemas.js';
import type { ActivityDeps } from './deps.js';

export const emailKey = (email: string) => email.toLowerCase();

/**
 * A walk over the organization's user list; kept in heartbeat details between attempts. It looks for some
 * of the caller's emails, named by their position in the caller's list (which is the activity's input, the
 * same in every attempt): compact however long the addresses are.
 */
export const DirectoryWalk = z.object({
  /** Positions of the emails the walk looks for; pages already fetched looked only for these. */
  wanted: z.array(z.number().int().min(0)),
  /** Known once page 0 has been read. */
  pageCount: z.number().int().min(1).optional(),
  /** Pages not fetched yet, in the order they will be. */
  pagesLeft: z.array(z.number().int().min(0)),
});
export type DirectoryWalk = z.infer<typeof DirectoryWalk>;

/** A walk for `wanted`: continues `walk` when it already looks for all of them, else starts afresh. */
export function walkFor(wanted: readonly number[], walk: DirectoryWalk | undefined): DirectoryWalk {
  if (walk && walk.pagesLeft.length > 0 && wanted.every((i) => walk.wanted.includes(i))) return walk;
  return { wanted: [...wanted], pagesLeft: [0] };
}

export interface DirectoryOutcome {
  /** Transient failures of this attempt (pages or guid lookups left for the next one). */
  transient: ApplicationFailure[];
}

export function userDirectory({ idp, ledger, userConcurrency }: ActivityDeps, signal: () => AbortSignal) {
  /**
   * Looks up in the IdP the users the ledger recorded for the bank under these email keys. Reports each
   * one found through `found`; returns the transient failures (the lookups to do again).
   */
  async function findRecorded(
    bankGuid: string,
    wanted: readonly string[],
    found: (user: User) => void,
  ): Promise<DirectoryOutcome> {
    const wantedKeys = new Set(wanted);
    const recorded = (await ledger.usersOf(bankGuid)).filter((u) => wantedKeys.has(emailKey(u.email)));
    const transient: ApplicationFailure[] = [];
    for (let start = 0; start < recorded.length; start += PAGE_SIZE) {
      const guids = recorded.slice(start, start + PAGE_SIZE).map((u) => u.guid);
      try {
        const page = await idp.listUsers({ guids, perPage: PAGE_SIZE }, { signal: signal() });
        for (const user of page.objects) if (wantedKeys.has(emailKey(user.email))) found(user);
      } catch (err) {
        const failure = applicationFailureUnlessCancelled(err);
        if (failure.nonRetryable) throw failure;
        transient.push(failure);
      }
    }
    return { transient };
  }

  /**
   * Walks the user list for the emails `walk.wanted` names in `emailKeys`, reporting each wanted user
   * through `found` and heartbeating through `progress` after every page. `walk` is updated in place.
   * Stops early once `remaining()` is 0.
   */
  async function walkUsers(
    walk: DirectoryWalk,
    emailKeys: readonly string[],
    found: (user: User) => void,
    remaining: () => number,
    progress: () => void,
  ): Promise<DirectoryOutcome> {
    const wanted = new Set(walk.wanted.map((i) => emailKeys[i]));
    const transient: ApplicationFailure[] = [];
    const fetchPage = async (page: number) => {
      if (remaining() === 0) return;
      try {
        const { objects, total } = await idp.listUsers({ page, perPage: PAGE_SIZE }, { signal: signal() });
        for (const user of objects) if (wanted.has(emailKey(user.email))) found(user);
        if (walk.pageCount === undefined) {
          walk.pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
          // Newest first: from the last page back to page 1.
          const rest = Array.from({ length: walk.pageCount - 1 }, (_, i) => walk.pageCount! - 1 - i);
          walk.pagesLeft.push(...rest);
        }
        walk.pagesLeft = walk.pagesLeft.filter((left) => left !== page);
      } catch (err) {
        const failure = applicationFailureUnlessCancelled(err);
        if (failure.nonRetryable) throw failure;
        transient.push(failure);
      }
      progress();
    };
    if (walk.pageCount === undefined) await fetchPage(0);
    if (walk.pageCount !== undefined) {
      const limit = pLimit(userConcurrency);
      await Promise.all([...walk.pagesLeft].map((page) => limit(() => fetchPage(page))));
    }
    return { transient };
  }

  return { findRecorded, walkUsers };
}
