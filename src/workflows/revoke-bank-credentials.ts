/** revokeBankCredentials: emergency revocation of a bank's applications, no grace period. */
import type { RevokeBankCredentialsInput, RevokeBankCredentialsResult } from '../model/contract.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { revokeApplications } from './revoke.js';
import { trackStatus } from './status.js';

export function revokeBankCredentials(
  rawInput: RevokeBankCredentialsInput,
): Promise<RevokeBankCredentialsResult> {
  return reportingCompletion('revokeBankCredentials', rawInput, () => revoke(rawInput));
}

async function revoke(rawInput: RevokeBankCredentialsInput): Promise<RevokeBankCredentialsResult> {
  const input = await checkedInput('revokeBankCredentials', rawInput);
  const progress = trackStatus('revokeBankCredentials', input.bankGuid);
  progress.step(`revoking ${input.clientIds ? input.clientIds.length : 'all'} applications: ${input.reason}`);
  const { revoked, notFound } = await revokeApplications(input.bankGuid, input.clientIds);
  progress.step('done');
  return { bankGuid: input.bankGuid, revokedClientIds: revoked, notFoundClientIds: notFound };
}
