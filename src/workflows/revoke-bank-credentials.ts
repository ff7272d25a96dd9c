/**
 * revokeBankCredentials: emergency revocation of a bank's applications, no grace period. When a person
 * deletes the keys (application-revocation.ts), the stored secrets are revoked at once and the operation
 * ends once a read shows every key gone.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { RevokeBankCredentialsInput, RevokeBankCredentialsResult } from '../model/contract.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { keyDeletesByPeople, revokeApplications } from './application-revocation.js';
import { trackStatus } from './status.js';
import { createTaskBoard } from './tasks.js';

export function revokeBankCredentials(
  rawInput: RevokeBankCredentialsInput,
): Promise<RevokeBankCredentialsResult> {
  return reportingCompletion('revokeBankCredentials', rawInput, () => revoke(rawInput));
}

async function revoke(rawInput: RevokeBankCredentialsInput): Promise<RevokeBankCredentialsResult> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('revokeBankCredentials', rawInput.bankGuid);
  // Asked before the input check, a local activity (see patchedAtStart); revokeApplications asks again.
  keyDeletesByPeople();
  const input = await checkedInput('revokeBankCredentials', rawInput);
  const board = createTaskBoard('revokeBankCredentials', input.bankGuid, progress);
  progress.step(`revoking ${input.clientIds ? input.clientIds.length : 'all'} applications: ${input.reason}`);
  const { revoked, notFound } = await revokeApplications(input.bankGuid, input.clientIds, {
    board,
    progress,
    requested: input.tasks,
  });
  const tasks = board.completed();
  // A `tasks check` may still be answering.
  if (tasks.length > 0) await condition(allHandlersFinished);
  progress.step('done');
  return {
    bankGuid: input.bankGuid,
    revokedClientIds: revoked,
    notFoundClientIds: notFound,
    ...(tasks.length > 0 ? { tasks } : {}),
  };
}
