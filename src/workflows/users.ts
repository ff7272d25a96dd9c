/**
 * A bank's users in batches: provisioning them as onboarding and a reconcile do (refusals collected), and
 * disabling them as disableUsers, offboarding and a prune do; disableUsers and offboarding leave it to a
 * person when the worker may not (one disable-users task, confirmed by the person).
 */
import { ApplicationFailure, allHandlersFinished, condition } from '@temporalio/workflow';
import type { OperationFailure, ProvisionedUser, TaskTiming, UserSpec } from '../model/contract.js';
import type { CompletedTask } from '../model/workflow-safe/tasks.js';
import { FAILURES_LISTED } from '../model/workflow-safe/operations.js';
import { disableUserBatch, ensureUsers, usersToDisable } from './activity-proxies.js';
import { inBatches } from './batches.js';
import { usersDisabledByPerson } from './handover.js';
import type { StatusTracker } from './status.js';
import { decideWriters, type TaskBoard } from './tasks.js';

/** Creates (or finds) the users in batches; users the IdP refuses for good are added to `failures`. */
export async function provisionUsers(
  bankGuid: string,
  users: readonly UserSpec[],
  progress: StatusTracker,
  failures: OperationFailure[],
): Promise<ProvisionedUser[]> {
  const provisioned: ProvisionedUser[] = [];
  progress.step('provisioning users');
  await inBatches(users, progress, async (batch, range) => {
    const outcome = await ensureUsers.executeWithOptions({ summary: `Users ${range}` }, [
      { bankGuid, users: batch },
    ]);
    provisioned.push(...outcome.users);
    failures.push(...outcome.failures);
  });
  return provisioned;
}

/** The failure of an operation that kept everything else but could not provision some users. */
export function usersNotProvisioned(
  failures: readonly OperationFailure[],
  total: number,
  details: { provisioned: number; clientId?: string },
): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'UsersNotProvisioned',
    nonRetryable: true,
    message: `${failures.length} of ${total} users could not be provisioned: ${failures
      .slice(0, 10)
      .map((f) => `${f.subject} (${f.type}: ${f.message})`)
      .join('; ')}${failures.length > 10 ? '; ...' : ''}`,
    // Bounded, so the failure fits a payload however many users were refused.
    details: [{ failures: failures.slice(0, FAILURES_LISTED), failureCount: failures.length, ...details }],
  });
}

/** Disables user guids in batches, reporting progress; returns those the IdP disabled (404: no such user). */
export async function disableInBatches(guids: string[], progress: StatusTracker): Promise<string[]> {
  const disabled: string[] = [];
  progress.step('disabling users');
  await inBatches(guids, progress, async (batch, range) => {
    disabled.push(
      ...(await disableUserBatch.executeWithOptions({ summary: `Disable users ${range}` }, [
        { guids: batch },
      ])),
    );
  });
  return disabled;
}

/** What disabling users came to: the guids disabled (by whoever), those the IdP does not have, the tasks. */
export interface UsersDisabled {
  disabled: string[];
  /** Of `named`, those the IdP does not have (a person was never asked about them). */
  notFound: string[];
  /** The disable-users task a person completed, when a person disabled them. */
  tasks?: CompletedTask[];
}

/**
 * Disables `guids` (as the operation named them: `named`, an email or a guid each), by the worker or, when
 * it may not (decideWrite), by a person through one disable-users task on `board`.
 */
export async function disableBySomeone(
  named: string[],
  guids: string[],
  board: TaskBoard,
  progress: StatusTracker,
  requested: TaskTiming | undefined,
): Promise<UsersDisabled> {
  const writers = await decideWriters(['disableUser'], requested, progress);
  if (!writers.byPerson[0]) {
    const disabled = await disableInBatches([...new Set(guids)], progress);
    const done = new Set(disabled);
    return { disabled, notFound: named.filter((_, i) => !done.has(guids[i]!)) };
  }
  const asked = await usersToDisable.executeWithOptions(
    { summary: `Name the ${new Set(guids).size} users a person disables` },
    [{ users: named, guids }],
  );
  if (asked.users.length > 0) await usersDisabledByPerson(asked.users, board, progress, writers.timing);
  const tasks = board.completed();
  // A confirmation sent twice may still be answering.
  await condition(allHandlersFinished);
  return {
    disabled: asked.users.map((u) => u.guid),
    notFound: asked.notFound,
    ...(tasks.length ? { tasks } : {}),
  };
}
