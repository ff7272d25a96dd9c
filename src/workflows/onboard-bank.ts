/**
 * onboardBank: the bank's OAuth application (secret stored, only a reference in history), its
 * verification, then its organization users in batches.
 *
 * Partial failure: the application is kept once its secret is stored (a re-run finds and reuses it).
 * A verification failure deletes an application this run created and revokes its stored secret, so a
 * re-run starts clean. Users the IdP refuses for good are reported together at the end (the workflow fails
 * with UsersNotProvisioned naming them); users already provisioned are kept, and a re-run is idempotent.
 * Cancellation never interrupts the step that creates the application and stores its secret.
 */
import type { OnboardBankInput, OnboardBankResult, OperationFailure } from '../model/contract.js';
import { ensureCredential } from './credential.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus } from './status.js';
import { provisionUsers, usersNotProvisioned } from './users.js';

export function onboardBank(rawInput: OnboardBankInput): Promise<OnboardBankResult> {
  return reportingCompletion('onboardBank', rawInput, () => onboard(rawInput));
}

async function onboard(rawInput: OnboardBankInput): Promise<OnboardBankResult> {
  /** Users the IdP refused for good: they decide the outcome, and the status query shows them. */
  const failures: OperationFailure[] = [];
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('onboardBank', rawInput.bankGuid, failures);
  const input = await checkedInput('onboardBank', rawInput);
  const { bankGuid } = input;
  const users = input.users ?? [];

  const verified = input.verifyCredentials ?? true;
  const credential = await ensureCredential(bankGuid, input.application ?? {}, verified, progress);
  const provisioned = await provisionUsers(bankGuid, users, progress, failures);

  if (failures.length > 0) {
    progress.step('finished with users the IdP refused');
    throw usersNotProvisioned(failures, users.length, {
      provisioned: provisioned.length,
      clientId: credential.clientId,
    });
  }

  progress.step('done');
  return {
    bankGuid,
    application: { clientId: credential.clientId, name: credential.name, secretRef: credential.secretRef },
    users: provisioned,
    verified,
  };
}
