/** disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then disables. */
import { DisableUsersInput, type DisableUsersResult } from '../model/contract.js';
import { disableUserBatch, resolveUsers } from './activities.js';
import { parseInput } from './input.js';
import { trackStatus } from './status.js';

const BATCH_SIZE = 100;

/** Disables user guids in batches, reporting progress; returns those the IdP disabled (404: no such user). */
export async function disableInBatches(
  guids: string[],
  progress: ReturnType<typeof trackStatus>,
): Promise<string[]> {
  const disabled: string[] = [];
  progress.update({ step: 'disabling users', users: { done: 0, total: guids.length } });
  for (let start = 0; start < guids.length; start += BATCH_SIZE) {
    const batch = guids.slice(start, start + BATCH_SIZE);
    disabled.push(
      ...(await disableUserBatch.executeWithOptions(
        { summary: `Disable users ${start + 1}–${start + batch.length} of ${guids.length}` },
        [{ guids: batch }],
      )),
    );
    progress.update({ users: { done: start + batch.length, total: guids.length } });
  }
  return disabled;
}

export async function disableUsers(rawInput: DisableUsersInput): Promise<DisableUsersResult> {
  const input = parseInput(DisableUsersInput, rawInput);
  const progress = trackStatus('disableUsers', input.bankGuid);
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
