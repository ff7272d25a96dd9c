/**
 * offboardBank: revokes every application of the bank and disables the users provisioned for it; a person
 * deletes the keys and disables the users where the worker may not (application-revocation.ts, users.ts).
 */
import { patched } from '@temporalio/workflow';
import type { OffboardBankInput, OffboardBankResult } from '../model/contract.js';
import { steps } from './activity-proxies.js';
import { disableBySomeone, disableInBatches } from './users.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { keyDeletesByPeople, revokeApplications } from './application-revocation.js';
import { trackStatus } from './status.js';
import { createTaskBoard } from './tasks.js';

/**
 * Marks runs that ask who disables the bank's users (the worker, or a person through a disable-users task).
 * Runs begun before it replay as they ran: the worker disabled them.
 */
const OFFBOARD_USERS_BY_PEOPLE_PATCH = 'offboard-users-by-people';

export function offboardBank(rawInput: OffboardBankInput): Promise<OffboardBankResult> {
  return reportingCompletion('offboardBank', rawInput, () => offboard(rawInput));
}

async function offboard(rawInput: OffboardBankInput): Promise<OffboardBankResult> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('offboardBank', rawInput.bankGuid);
  // Asked before the input check, a local activity (see patchedAtStart); revokeApplications asks again.
  keyDeletesByPeople();
  const input = await checkedInput('offboardBank', rawInput);
  const board = createTaskBoard('offboardBank', input.bankGuid, progress);
  progress.step(`revoking every application: ${input.reason}`);
  const { revoked } = await revokeApplications(input.bankGuid, undefined, {
    board,
    progress,
    requested: input.tasks,
  });
  const userGuids = await steps().provisionedUserGuids({ bankGuid: input.bankGuid });
  if (patched(OFFBOARD_USERS_BY_PEOPLE_PATCH)) {
    const outcome = await disableBySomeone(userGuids, userGuids, board, progress, input.tasks);
    // The keys' delete-bank-api-key tasks too, when a person deleted them.
    const tasks = board.completed();
    progress.step('done');
    return {
      bankGuid: input.bankGuid,
      revokedClientIds: revoked,
      disabledUserGuids: outcome.disabled,
      ...(tasks.length > 0 ? { tasks } : {}),
    };
  }
  const disabledUserGuids = await disableInBatches(userGuids, progress);
  progress.step('done');
  return { bankGuid: input.bankGuid, revokedClientIds: revoked, disabledUserGuids };
}
