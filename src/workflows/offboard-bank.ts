/** offboardBank: revokes every application of the bank and disables the users provisioned for it. */
import type { OffboardBankInput, OffboardBankResult } from '../model/contract.js';
import { steps } from './activity-proxies.js';
import { disableInBatches } from './users.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { revokeApplications } from './application-revocation.js';
import { trackStatus } from './status.js';

export function offboardBank(rawInput: OffboardBankInput): Promise<OffboardBankResult> {
  return reportingCompletion('offboardBank', rawInput, () => offboard(rawInput));
}

async function offboard(rawInput: OffboardBankInput): Promise<OffboardBankResult> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('offboardBank', rawInput.bankGuid);
  const input = await checkedInput('offboardBank', rawInput);
  progress.step(`revoking every application: ${input.reason}`);
  const { revoked } = await revokeApplications(input.bankGuid);
  const userGuids = await steps().provisionedUserGuids({ bankGuid: input.bankGuid });
  const disabledUserGuids = await disableInBatches(userGuids, progress);
  progress.step('done');
  return { bankGuid: input.bankGuid, revokedClientIds: revoked, disabledUserGuids };
}
