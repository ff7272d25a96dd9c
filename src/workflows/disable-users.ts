/** disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then disables. */
import type { DisableUsersInput, DisableUsersResult } from '../model/contract.js';
import { disableUserBatch, resolveUsers } from './activities.js';
import { inBatches } from './batches.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus, type StatusTracker } from './status.js';

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
