/** revokeBankCredentials: emergency revocation of a bank's applications, no grace period. */
import type { RevokeBankCredentialsInput, RevokeBankCredentialsResult } from '../model/contract.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { revokeApplications } from './application-revocation.js';
import { trackStatus } from './status.js';

export function revokeBankCredentials(
  rawInput: RevokeBankCredentialsInput,
): Promise<RevokeBankCredentialsResult> {
  return reportingCompletion('revokeBankCredentials', rawInput, () => revoke(rawInput));
}

async function revoke(rawInput: RevokeBankCredentialsInput): Promise<RevokeBankCredentialsResult> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('revokeBankCredentials', rawInput.bankGuid);
  const input = await checkedInput('revokeBankCredentials', rawInput);
  progress.step(`revoking ${input.clientIds ? input.clientIds.length : 'all'} applications: ${input.reason}`);
  const { revoked, notFound } = await revokeApplications(input.bankGuid, input.clientIds);
  progress.step('done');
  return { bankGuid: input.bankGuid, revokedClientIds: revoked, notFoundClientIds: notFound };
}
