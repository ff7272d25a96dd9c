/**
 * Organization users. Create first and treat 409 as "already there": the IdP has no email filter, so
 * finding an existing user costs a lookup (user-directory.ts), done only for the users that need it.
 *
 * A batch keeps its progress per user in the activity's heartbeat details: a retried attempt resumes where
 * the last one stopped, never repeats a finished user, and keeps every user an earlier attempt created as
 * `created: true` with its invite reference. A transient failure of one user leaves the others going; the
 * attempt then fails with what is left, and Temporal retries it. Progress that a killed worker could not
 * heartbeat is found again from durable records: the ledger (which guid has which email for the bank) and
 * the invite URL in the secret store, tagged with the workflow run that created the user.
 */
import { ApplicationFailure, activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { groupCommit } from '../group-commit.js';
import { isConflict, isNotFound, applicationFailureUnlessCancelled } from '../idp/errors.js';
import type { LedgerUser } from '../ledger/index.js';
import type { OperationFailure, ProvisionedUser, UserSpec } from '../model/contract.js';
import type { User } from '../model/idp-schemas.js';
import { inviteUrlSecretName } from '../model/secret-names.js';
import { USER_INVITE_FORMAT, UserInviteDocument } from '../model/user-invite.js';
import { SecretNotFound, SecretRevoked } from '../secrets/index.js';
import { retryLater, snapshot } from './attempt-backoff.js';
import type { ActivityDeps } from './deps.js';
import { throttledHeartbeat } from './heartbeat-throttle.js';
import { handOver, lanesOf, type Lanes } from './lanes.js';
import { emailKey, userDirectory, walkFor } from './user-directory.js';
import {
  resumedEnsureProgress,
  resumedResolveProgress,
  type EnsureUsersProgress,
  type UserOutcome,
} from './user-progress.js';

export interface EnsureUsersResult {
  users: ProvisionedUser[];
  failures: OperationFailure[];
}

/**
 * After this many whole walks of the user list, a user the IdP answered 409 for but does not list is refused
 * (UserNotListed) rather than looked for again. Unknown whether the IdP's list can lag behind its creates or
 * an email can be taken outside the organization (the IdP's documentation is silent): five walks, with the
 * attempts' growing backoff between them (about 30 s in all), wait out a short lag, and a large
 * organization's list is not walked forever.
 */
const WALKS_BEFORE_NOT_LISTED = 5;

/**
 * The waits before the second and third try of an invite's write (see storeInvite): long enough for a
 * store's brief hiccup (a throttled request, a busy disk) to pass, short enough not to hold the batch up.
 */
const INVITE_WRITE_RETRIES_MS = [200, 1_000];

const sameScopes = (a: readonly string[] | null | undefined, b: readonly string[]) =>
  a != null && a.length === b.length && b.every((s) => a.includes(s));

/** What a finished batch reports: the users done, and those refused for good. */
function batchResult(
  users: readonly UserSpec[],
  outcomes: readonly (UserOutcome | null)[],
): EnsureUsersResult {
  const result: EnsureUsersResult = { users: [], failures: [] };
  outcomes.forEach((outcome, i) => {
    const email = users[i]!.email;
    if (outcome?.state === 'done') {
      const { guid, created, inviteRef } = outcome;
      result.users.push({ email, guid, created, ...(inviteRef ? { inviteRef } : {}) });
    } else if (outcome?.state === 'refused') {
      result.failures.push({ subject: email, type: outcome.type, message: outcome.message });
    }
  });
  return result;
}

export function userActivities(deps: ActivityDeps) {
  const { idp, secrets, ledger, userConcurrency } = deps;
  const signal = cancellationSignal;
  const thisRun = () => activityInfo().workflowExecution?.runId ?? '';
  const directory = userDirectory(deps, signal);
  /** One ledger write for the users finished while the previous write ran (each still waits for its row). */
  const recordUser = groupCommit<{ bankGuid: string; user: LedgerUser }>(async (rows) => {
    for (const bankGuid of new Set(rows.map((row) => row.bankGuid))) {
      const users = rows.filter((row) => row.bankGuid === bankGuid).map((row) => row.user);
      await ledger.recordUsers(bankGuid, users);
    }
  });

  /** The invite reference of a user this workflow run created, if its invite was stored. */
  async function inviteOfThisRun(guid: string): Promise<string | undefined> {
    const ref = secrets.ref(inviteUrlSecretName(guid));
    let value: string;
    try {
      ({ value } = await secrets.get(ref));
    } catch (err) {
      if (err instanceof SecretNotFound || err instanceof SecretRevoked) return undefined;
      throw err;
    }
    const invite = UserInviteDocument.safeParse(JSON.parse(value));
    return invite.success && invite.data.workflowRunId === thisRun() ? ref : undefined;
  }

  /**
   * Creates the user; its invite goes to the secret store, naming this run. The IdP call and the writes that
   * follow it take turns in separate lanes, so a user being stored does not hold up the next IdP call.
   */
  async function createUser(bankGuid: string, spec: UserSpec, lanes: Lanes): Promise<UserOutcome> {
    const { stored } = await lanes.idp(async () => {
      const created = await idp.createUser(
        { email: spec.email, allowed_scopes: spec.allowedScopes },
        { signal: signal() },
      );
      return handOver(lanes.store, () => storeCreated(bankGuid, created));
    });
    return stored;
  }

  /** The invite and the ledger row of a user just created. */
  async function storeCreated(bankGuid: string, created: User): Promise<UserOutcome> {
    const invite: UserInviteDocument | undefined = created.invite_url
      ? {
          format: USER_INVITE_FORMAT,
          userGuid: created.guid,
          email: created.email,
          bankGuid,
          inviteUrl: created.invite_url,
          workflowRunId: thisRun(),
        }
      : undefined;
    let inviteRef: string | undefined;
    try {
      inviteRef = invite ? await storeInvite(invite) : undefined;
    } finally {
      // The user exists whether or not its invite was stored: the ledger knows it (offboarding disables it).
      await recordUser({ bankGuid, user: { guid: created.guid, email: created.email } });
    }
    return { state: 'done', guid: created.guid, created: true, inviteRef };
  }

  /**
   * Stores a new user's invite. The IdP returns the invite URL only in its answer to the create, so until the
   * write succeeds this attempt holds the only copy: a failed write is tried again here, because a retried
   * attempt would find the user already there and the URL gone. When every try fails, the user is refused as
   * InviteNotStored, so the result neither counts it as created nor as already there.
   */
  async function storeInvite(invite: UserInviteDocument): Promise<string> {
    for (let tries = 0; ; tries++) {
      try {
        const stored = await secrets.put(inviteUrlSecretName(invite.userGuid), JSON.stringify(invite), {
          idempotencyKey: invite.userGuid,
        });
        return stored.ref;
      } catch (err) {
        const waitMs = INVITE_WRITE_RETRIES_MS[tries];
        if (waitMs === undefined) {
          throw ApplicationFailure.nonRetryable(
            `User ${invite.userGuid} was created, but its invite URL could not be stored (${tries + 1} tries: ${
              err instanceof Error ? err.message : String(err)
            }); the IdP returns it only once: invite the user again`,
            'InviteNotStored',
          );
        }
        await sleep(waitMs, undefined, { signal: signal() });
      }
    }
  }

  /** A user the IdP already has: its scopes made as asked, recorded for the bank. */
  async function settleExisting(
    bankGuid: string,
    spec: UserSpec,
    existing: { guid: string; allowedScopes?: string[] | null },
    lanes: Lanes,
  ): Promise<UserOutcome> {
    const { allowedScopes } = spec;
    if (allowedScopes && !sameScopes(existing.allowedScopes, allowedScopes)) {
      await lanes.idp(() =>
        idp.updateUser(existing.guid, { allowed_scopes: allowedScopes }, { signal: signal() }),
      );
    }
    const { stored } = await handOver(lanes.store, async (): Promise<UserOutcome> => {
      await recordUser({ bankGuid, user: { guid: existing.guid, email: spec.email } });
      const inviteRef = await inviteOfThisRun(existing.guid);
      return { state: 'done', guid: existing.guid, created: inviteRef !== undefined, inviteRef };
    });
    return stored;
  }

  /**
   * Finds the users of the batch the IdP answered 409 for, cheapest lookup first: the ledger, then a walk of
   * the user list. The walk waits until every user of the batch has been tried (so its list of wanted emails
   * is complete and it never starts over for a late one) and the ledger lookup has worked (it may find them
   * first). After WALKS_BEFORE_NOT_LISTED fruitless walks, the users still missing are refused.
   */
  async function findExisting(
    bankGuid: string,
    users: readonly UserSpec[],
    progress: EnsureUsersProgress,
    transient: ApplicationFailure[],
    beat: () => void,
  ): Promise<void> {
    const { outcomes } = progress;
    const unfound = () => outcomes.flatMap((o, i) => (o?.state === 'exists' && !o.guid ? [i] : []));
    if (unfound().length > 0) await lookUp(bankGuid, users, progress, transient, beat, unfound);
    if (unfound().length === 0) delete progress.walk;
  }

  /** findExisting's lookups, for the users `unfound` names. */
  async function lookUp(
    bankGuid: string,
    users: readonly UserSpec[],
    progress: EnsureUsersProgress,
    transient: ApplicationFailure[],
    beat: () => void,
    unfound: () => number[],
  ): Promise<void> {
    const { outcomes } = progress;
    const emailKeys = users.map((u) => emailKey(u.email));
    const byKey = new Map(emailKeys.map((key, i) => [key, i]));
    const found = (user: User) => {
      const i = byKey.get(emailKey(user.email));
      if (i !== undefined && outcomes[i]!.state === 'exists')
        outcomes[i] = { state: 'exists', guid: user.guid, allowedScopes: user.allowed_scopes ?? null };
    };
    const recorded = await directory.findRecorded(
      bankGuid,
      unfound().map((i) => emailKeys[i]!),
      found,
    );
    transient.push(...recorded.transient);
    const allTried = outcomes.every((o) => o !== null);
    if (unfound().length > 0 && allTried && recorded.transient.length === 0) {
      const walk = walkFor(unfound(), progress.walk);
      progress.walk = walk;
      const walked = await directory.walkUsers(walk, emailKeys, found, () => unfound().length, beat);
      transient.push(...walked.transient);
      if (unfound().length > 0 && walk.pagesLeft.length === 0) {
        progress.fruitlessWalks++;
        if (progress.fruitlessWalks < WALKS_BEFORE_NOT_LISTED) {
          const some = unfound()
            .slice(0, 3)
            .map((i) => users[i]!.email)
            .join(', ');
          transient.push(
            ApplicationFailure.retryable(
              `${unfound().length} users exist (409) but are not in the IdP's user list yet: ${some}`,
              'UserNotListed',
            ),
          );
        } else {
          for (const i of unfound()) {
            outcomes[i] = {
              state: 'refused',
              type: 'UserNotListed',
              message: `The IdP answered 409 (the email is taken), but ${WALKS_BEFORE_NOT_LISTED} walks of the organization's user list did not find the user: the email may belong to a user outside the organization`,
            };
          }
        }
      }
    }
  }

  /**
   * Ensures one batch of users with bounded concurrency. A user the IdP refuses for good (403, 422, ...) is
   * reported in `failures` and the others go on; transient failures fail the attempt after every other
   * user had its turn, and the retry resumes from the heartbeated progress.
   */
  async function ensureUsers(input: { bankGuid: string; users: UserSpec[] }): Promise<EnsureUsersResult> {
    const { bankGuid, users } = input;
    const progress = resumedEnsureProgress(users);
    const { outcomes } = progress;
    const beat = throttledHeartbeat(progress);
    const lanes = lanesOf(userConcurrency);
    const transient: ApplicationFailure[] = [];
    const before = snapshot(progress);

    /** Runs one user's step; records its outcome, or its failure (refused for good, or left for later). */
    const step = async (index: number, run: () => Promise<UserOutcome>) => {
      try {
        outcomes[index] = await run();
      } catch (err) {
        if (isConflict(err) && outcomes[index] === null) {
          outcomes[index] = { state: 'exists' };
        } else {
          const failure = applicationFailureUnlessCancelled(err);
          if (failure.nonRetryable)
            outcomes[index] = { state: 'refused', type: failure.type ?? 'Error', message: failure.message };
          else transient.push(failure);
        }
      }
      beat();
    };

    // 1. Create the users not tried yet.
    await Promise.all(
      outcomes.flatMap((o, i) => (o === null ? [step(i, () => createUser(bankGuid, users[i]!, lanes))] : [])),
    );
    // 2. Find the users that already existed (409).
    await findExisting(bankGuid, users, progress, transient, beat);
    // 3. Settle the users found: scopes, ledger, and whether this run created them after all.
    await Promise.all(
      outcomes.flatMap((o, i) =>
        o?.state === 'exists' && o.guid
          ? [
              step(i, () =>
                settleExisting(bankGuid, users[i]!, { guid: o.guid!, allowedScopes: o.allowedScopes }, lanes),
              ),
            ]
          : [],
      ),
    );
    heartbeat(progress);

    const left = outcomes.filter((o) => o?.state !== 'done' && o?.state !== 'refused').length;
    if (left > 0)
      throw retryLater(
        `${left} of ${users.length} users are not provisioned yet`,
        transient,
        progress,
        before,
      );
    return batchResult(users, outcomes);
  }

  /**
   * Maps emails and guids to user guids, in the order given; an unknown email is a non-retryable error
   * naming every one. Walks the user list like ensureUsers, resuming from heartbeated progress.
   */
  async function resolveUsers(input: { users: string[]; bankGuid?: string }): Promise<string[]> {
    const emails = [...new Set(input.users.filter((u) => u.includes('@')).map(emailKey))];
    const position = new Map(emails.map((key, i) => [key, i]));
    const progress = resumedResolveProgress(emails);
    const { guids } = progress;
    const before = snapshot(progress);
    const beat = throttledHeartbeat(progress);
    const unfound = () => emails.flatMap((_, i) => (guids[i] === null ? [i] : []));
    const found = (user: User) => {
      const i = position.get(emailKey(user.email));
      if (i !== undefined) guids[i] = user.guid;
    };
    try {
      const transient: ApplicationFailure[] = [];
      if (input.bankGuid && unfound().length > 0) {
        const keys = unfound().map((i) => emails[i]!);
        transient.push(...(await directory.findRecorded(input.bankGuid, keys, found)).transient);
      }
      // When the ledger lookup failed, the next attempt tries it again before walking the whole list.
      if (unfound().length > 0 && transient.length === 0) {
        progress.walk = walkFor(unfound(), progress.walk);
        const walked = await directory.walkUsers(progress.walk, emails, found, () => unfound().length, beat);
        transient.push(...walked.transient);
      }
      heartbeat(progress);
      if (unfound().length > 0 && transient.length === 0) {
        const unknown = input.users.filter(
          (u) => u.includes('@') && guids[position.get(emailKey(u))!] === null,
        );
        const more = unknown.length > 10 ? ` and ${unknown.length - 10} more` : '';
        throw ApplicationFailure.nonRetryable(
          `No IdP user has the email ${unknown.slice(0, 10).join(', ')}${more}`,
          'UnknownUser',
        );
      }
      if (unfound().length > 0) {
        const left = `${unfound().length} of ${emails.length} emails are not resolved yet`;
        throw retryLater(left, transient, progress, before);
      }
      return input.users.map((u) => (u.includes('@') ? guids[position.get(emailKey(u))!]! : u));
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * Disables users with bounded concurrency. Returns the guids the IdP disabled; a 404 (no such user) is
   * not disabled and not an error, so running twice is harmless.
   */
  async function disableUserBatch(input: { guids: string[] }): Promise<string[]> {
    const limit = pLimit(userConcurrency);
    const beat = throttledHeartbeat(undefined);
    try {
      const disabled = await Promise.all(
        input.guids.map((guid) =>
          limit(async () => {
            try {
              await idp.disableUser(guid, { signal: signal() });
              return guid;
            } catch (err) {
              if (!isNotFound(err)) throw err;
              return undefined;
            } finally {
              beat();
            }
          }),
        ),
      );
      return disabled.filter((guid) => guid !== undefined);
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** Guids of the users this worker provisioned for the bank, from the ledger. */
  async function provisionedUserGuids(input: { bankGuid: string }): Promise<string[]> {
    return (await ledger.usersOf(input.bankGuid)).map((u) => u.guid);
  }

  return { ensureUsers, resolveUsers, disableUserBatch, provisionedUserGuids };
}
