/** disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then disables. */
import type { DisableUsersInput, DisableUsersResult } from '../model/contract.js';
import { resolveUsers } from './activity-proxies.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus } from './status.js';
import { disableInBatches } from './users.js';

export function disableUsers(rawInput: DisableUsersInput): Promise<DisableUsersResult> {
  return reportingCompletion('disableUsers', rawInput, () => disable(rawInput));
}

async function disable(rawInput: DisableUsersInput): Promise<DisableUsersResult> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('disableUsers', rawInput.bankGuid);
  const input = await checkedInput('disableUsers', rawInput);
  progress.step(`resolving ${input.users.length} users: ${input.reason}`);
  const guids = await resolveUsers({ users: input.users, bankGuid: input.bankGuid });
  const disabled = new Set(await disableInBatches([...new Set(guids)], progress));
  progress.step('done');
  const named = input.users.map((user, i) => ({ user, guid: guids[i]! }));
  return {
    disabled: named.filter(({ guid }) => disabled.has(guid)),
    notFound: named.filter(({ guid }) => !disabled.has(guid)).map(({ user }) => user),
  };
}
