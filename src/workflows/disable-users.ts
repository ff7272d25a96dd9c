/** disableUsers: resolves emails to users (an unknown email fails before anything is disabled), then disables. */
import { DisableUsersInput, type DisableUsersResult } from '../model/contract.js';
import { disableUserBatch, resolveUsers } from './activities.js';
import { inBatches } from './batches.js';
import { parseInput } from './input.js';
import { trackStatus, type StatusTracker } from './status.js';

/** Disables user guids in batches, reporting progress; 404 counts as done. */
export async function disableInBatches(guids: string[], progress: StatusTracker): Promise<void> {
  progress.step('disabling users');
  await inBatches(guids, progress, (batch, range) =>
    disableUserBatch.executeWithOptions({ summary: `Disable users ${range}` }, [{ guids: batch }]),
  );
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
