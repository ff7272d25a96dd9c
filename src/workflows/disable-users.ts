/**
 * disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then
 * disables them: the worker, or a person in the Partner Portal who confirms it (handover.ts).
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import type { DisableUsersInput, DisableUsersResult } from '../model/contract.js';
import { resolveUsers, usersToDisable } from './activity-proxies.js';
import { reportingCompletion } from './events.js';
import { usersDisabledByPerson } from './handover.js';
import { checkedInput } from './input.js';
import { trackStatus } from './status.js';
import { createTaskBoard, decideWriters } from './tasks.js';
import { disableInBatches } from './users.js';

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
    const writers = await decideWriters(['disableUser'], undefined, progress);
    if (writers.byPerson[0]) {
      const asked = await usersToDisable.executeWithOptions(
        { summary: `Name the ${new Set(guids).size} users a person disables` },
        [{ users: input.users, guids }],
      );
      if (asked.users.length > 0) await usersDisabledByPerson(asked.users, board, progress, writers.timing);
      const tasks = board.completed();
      // A confirmation sent twice may still be answering.
      await condition(allHandlersFinished);
      progress.step('done');
      const notFound = new Set(asked.notFound);
      return {
        disabled: named.filter(({ user }) => !notFound.has(user)),
        notFound: asked.notFound,
        ...(tasks.length > 0 ? { tasks } : {}),
      };
    }
  }

  const disabled = new Set(await disableInBatches([...new Set(guids)], progress));
  progress.step('done');
  return {
    disabled: named.filter(({ guid }) => disabled.has(guid)),
    notFound: named.filter(({ guid }) => !disabled.has(guid)).map(({ user }) => user),
  };
}
