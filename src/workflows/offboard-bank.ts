/** offboardBank: revokes every application of the bank and disables the users provisioned for it. */
import { OffboardBankInput, type OffboardBankResult } from '../model/contract.js';
import { provisionedUserGuids } from './activities.js';
import { disableInBatches } from './disable-users.js';
import { reportingCompletion } from './events.js';
import { parseInput } from './input.js';
import { revokeApplications } from './revoke.js';
import { trackStatus } from './status.js';

export function offboardBank(rawInput: OffboardBankInput): Promise<OffboardBankResult> {
  return reportingCompletion('offboardBank', rawInput, () => offboard(rawInput));
}

async function offboard(rawInput: OffboardBankInput): Promise<OffboardBankResult> {
  const input = parseInput(OffboardBankInput, rawInput);
  const progress = trackStatus('offboardBank', input.bankGuid);
  progress.step(`revoking every application: ${input.reason}`);
  const { revoked } = await revokeApplications(input.bankGuid);
  const userGuids = await provisionedUserGuids({ bankGuid: input.bankGuid });
  const disabledUserGuids = await disableInBatches(userGuids, progress);
  progress.step('done');
  return { bankGuid: input.bankGuid, revokedClientIds: revoked, disabledUserGuids };
}
