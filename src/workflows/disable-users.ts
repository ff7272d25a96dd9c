/** disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then disables. */
import { DisableUsersInput, type DisableUsersResult } from '../model/contract.js';
import { disableUserBatch, resolveUsers } from './activities.js';
import { parseInput } from './input.js';
import { trackStatus } from './status.js';

const BATCH_SIZE = 100;

/** Disables user guids in batches, reporting progress; 404 counts as done. */
export async function disableInBatches(
  guids: string[],
  progress: ReturnType<typeof trackStatus>,
): Promise<void> {
  progress.update({ step: 'disabling users', users: { done: 0, total: guids.length } });
  for (let start = 0; start < guids.length; start += BATCH_SIZE) {
    const batch = guids.slice(start, start + BATCH_SIZE);
    await disableUserBatch.executeWithOptions(
      { summary: `Disable users ${start + 1}–${start + batch.length} of ${guids.length}` },
      [{ guids: batch }],
    );
    progress.update({ users: { done: start + batch.length, total: guids.length } });
  }
}

export async function disableUsers(rawInput: DisableUsersInput): Promise<DisableUsersResult> {
  const input = parseInput(DisableUsersInput, rawInput);
  const progress = trackStatus('disableUsers', input.bankGuid);
  progress.step(`resolving ${input.users.length} users: ${input.reason}`);
  const resolved = await resolveUsers({ users: input.users });
  await disableInBatches(
    resolved.map((r) => r.guid),
    progress,
  );
  progress.step('done');
  return { disabled: resolved };
}
