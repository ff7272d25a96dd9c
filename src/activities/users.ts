/**
 * Organization users. Create first and treat 409 as "already there" (the IdP has no email filter, so a
 * lookup means walking the whole list: done lazily, once per batch, only when needed). A new user's invite
 * URL goes to the secret store, never into history; every user provisioned for a bank goes to the ledger.
 */
import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import pLimit from 'p-limit';
import type { OperationFailure, ProvisionedUser, UserSpec } from '../model/contract.js';
import { isConflict, isNotFound, toApplicationFailure } from '../idp/errors.js';
import type { User } from '../model/idp-schemas.js';
import type { ActivityDeps } from './deps.js';
import { inviteUrlSecretName } from '../model/secret-names.js';

export interface EnsureUsersResult {
  users: ProvisionedUser[];
  failures: OperationFailure[];
}

const sameScopes = (a: readonly string[] | null | undefined, b: readonly string[]) =>
  a != null && a.length === b.length && b.every((s) => a.includes(s));

export function userActivities({ idp, secrets, ledger, userConcurrency }: ActivityDeps) {
  /** Lazily lists every user once, keyed by lower-cased email. */
  function directory() {
    let byEmail: Promise<Map<string, User>> | undefined;
    const load = async () => {
      const map = new Map<string, User>();
      for await (const user of idp.listAllUsers({}, { signal: cancellationSignal() }))
        map.set(user.email.toLowerCase(), user);
      return map;
    };
    return {
      find: async (email: string) => (await (byEmail ??= load())).get(email.toLowerCase()),
      refresh: () => void (byEmail = undefined),
    };
  }

  async function ensureUser(bankGuid: string, spec: UserSpec, users: ReturnType<typeof directory>) {
    try {
      const created = await idp.createUser(
        { email: spec.email, allowed_scopes: spec.allowedScopes },
        { signal: cancellationSignal() },
      );
      const inviteRef = created.invite_url
        ? (
            await secrets.put(inviteUrlSecretName(created.guid), created.invite_url, {
              idempotencyKey: created.guid,
            })
          ).ref
        : undefined;
      ledger.recordUsers(bankGuid, [{ guid: created.guid, email: created.email }]);
      return { email: spec.email, guid: created.guid, created: true, inviteRef };
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    let existing = await users.find(spec.email);
    if (!existing) {
      users.refresh(); // created after our listing, e.g. by a concurrent attempt
      existing = await users.find(spec.email);
    }
    if (!existing) {
      throw ApplicationFailure.retryable(
        `User ${spec.email} exists (409) but is not listed yet`,
        'UserNotListed',
      );
    }
    if (spec.allowedScopes && !sameScopes(existing.allowed_scopes, spec.allowedScopes)) {
      await idp.updateUser(
        existing.guid,
        { allowed_scopes: spec.allowedScopes },
        { signal: cancellationSignal() },
      );
    }
    ledger.recordUsers(bankGuid, [{ guid: existing.guid, email: existing.email }]);
    return { email: spec.email, guid: existing.guid, created: false };
  }

  /**
   * Ensures one batch of users with bounded concurrency. A user the IdP refuses for good (403, 422, ...) is
   * reported in `failures` and the others go on; a transient error fails the whole attempt so Temporal
   * retries it (every step is idempotent).
   */
  async function ensureUsers(input: { bankGuid: string; users: UserSpec[] }): Promise<EnsureUsersResult> {
    const limit = pLimit(userConcurrency);
    const users = directory();
    let done = 0;
    const outcomes = await Promise.allSettled(
      input.users.map((spec) =>
        limit(async () => {
          const user = await ensureUser(input.bankGuid, spec, users);
          heartbeat({ done: ++done });
          return user;
        }),
      ),
    );
    const result: EnsureUsersResult = { users: [], failures: [] };
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return void result.users.push(outcome.value);
      const failure = toApplicationFailure(outcome.reason);
      if (!failure.nonRetryable) throw failure; // transient: Temporal retries the whole batch
      result.failures.push({
        subject: input.users[i]!.email,
        type: failure.type ?? 'Error',
        message: failure.message,
      });
    });
    return result;
  }

  /** Maps emails and guids to user guids; an unknown email is a non-retryable error naming every one. */
  async function resolveUsers(input: { users: string[] }): Promise<{ user: string; guid: string }[]> {
    try {
      const users = directory();
      const resolved: { user: string; guid: string }[] = [];
      const unknown: string[] = [];
      for (const user of input.users) {
        if (!user.includes('@')) {
          resolved.push({ user, guid: user });
          continue;
        }
        const found = await users.find(user);
        if (found) resolved.push({ user, guid: found.guid });
        else unknown.push(user);
      }
      if (unknown.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `No IdP user has the email ${unknown.join(', ')}`,
          'UnknownUser',
        );
      }
      return resolved;
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  /** Disables users with bounded concurrency; 404 counts as done (nothing to disable). */
  async function disableUserBatch(input: { guids: string[] }): Promise<void> {
    const limit = pLimit(userConcurrency);
    try {
      await Promise.all(
        input.guids.map((guid) =>
          limit(async () => {
            try {
              await idp.disableUser(guid, { signal: cancellationSignal() });
            } catch (err) {
              if (!isNotFound(err)) throw err;
            }
            heartbeat();
          }),
        ),
      );
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  /** Guids of the users this worker provisioned for the bank, from the ledger. */
  async function provisionedUserGuids(input: { bankGuid: string }): Promise<string[]> {
    return Promise.resolve(ledger.usersOf(input.bankGuid).map((u) => u.guid));
  }

  return { ensureUsers, resolveUsers, disableUserBatch, provisionedUserGuids };
}
