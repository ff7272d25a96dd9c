/**
 * disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then
 * disables them: the worker, or a person in the Partner Portal who confirms it (handover.ts).
 */
import { patched } from '@temporalio/workflow';
import type { DisableUsersInput, DisableUsersResult } from '../model/contract.js';
import { resolveUsers } from './activity-proxies.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus } from './status.js';
import { createTaskBoard } from './tasks.js';
import { disableBySomeone, disableInBatches } from './users.js';

/**
 * Marks runs that ask who disables the users (the worker, or a person through a task). Runs begun before it
 * replay as they ran: the worker disabled them.
 */
const DISABLE_BY_PEOPLE_PATCH = 'disable-users-by-people';

export function disableUsers(rawInput: DisableUsersInput): Promise<DisableUsersResult> {
  return reportingCompletion('disableUsers', rawInput, () => disable(rawInput));
}

async function disable(rawInput: DisableUsersInput): Promise<DisableUsersResult> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('disableUsers', rawInput.bankGuid);
  const input = await checkedInput('disableUsers', rawInput);
  // A disableUsers names no bank when its users concern none: its task then names none either ('').
  const board = createTaskBoard('disableUsers', input.bankGuid ?? '', progress);
  progress.step(`resolving ${input.users.length} users: ${input.reason}`);
  const guids = await resolveUsers({ users: input.users, bankGuid: input.bankGuid });
  const named = input.users.map((user, i) => ({ user, guid: guids[i]! }));

  if (patched(DISABLE_BY_PEOPLE_PATCH)) {
    const outcome = await disableBySomeone(input.users, guids, board, progress, input.tasks);
    progress.step('done');
    const notFound = new Set(outcome.notFound);
    return {
      disabled: named.filter(({ user }) => !notFound.has(user)),
      notFound: outcome.notFound,
      ...(outcome.tasks ? { tasks: outcome.tasks } : {}),
    };
  }

  const disabled = new Set(await disableInBatches([...new Set(guids)], progress));
  progress.step('done');
  return {
    disabled: named.filter(({ guid }) => disabled.has(guid)),
    notFound: named.filter(({ guid }) => !disabled.has(guid)).map(({ user }) => user),
  };
}
