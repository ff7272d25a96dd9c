/**
 * A bank's users in batches: provisioning them as onboarding and a reconcile do (refusals collected), and
 * disabling them as disableUsers, offboarding and a prune do.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { OperationFailure, ProvisionedUser, UserSpec } from '../model/contract.js';
import { FAILURES_LISTED } from '../model/workflow-safe/operations.js';
import { disableUserBatch, ensureUsers } from './activity-proxies.js';
import { inBatches } from './batches.js';
import type { StatusTracker } from './status.js';

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
