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
import { ApplicationFailure, CancellationScope, workflowInfo } from '@temporalio/workflow';
import {
  defaultApplicationName,
  markedApplicationName,
  operationMarker,
} from '../model/application-names.js';
import type {
  OnboardBankInput,
  OnboardBankResult,
  OperationFailure,
  ProvisionedUser,
  UserSpec,
} from '../model/contract.js';
import { ensureUsers, steps } from './activities.js';
import { inBatches } from './batches.js';
import { reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus } from './status.js';

export function onboardBank(rawInput: OnboardBankInput): Promise<OnboardBankResult> {
  return reportingCompletion('onboardBank', rawInput, () => onboard(rawInput));
}

async function onboard(rawInput: OnboardBankInput): Promise<OnboardBankResult> {
  const input = await checkedInput('onboardBank', rawInput);
  const { ensureBankApplication, removeBankApplication, revokeStoredCredentials, verifyBankCredential } =
    steps();
  const { bankGuid } = input;
  const users: UserSpec[] = input.users ?? [];
  /** Users the IdP refused for good: they decide the outcome, and the status query shows them. */
  const failures: OperationFailure[] = [];
  const progress = trackStatus('onboardBank', bankGuid, failures);

  progress.step('ensuring the bank application');
  const credential = await CancellationScope.nonCancellable(() =>
    ensureBankApplication.executeWithOptions(
      { summary: `Find or create the OAuth application of bank ${bankGuid}` },
      [
        {
          bankGuid,
          name: markedApplicationName(
            input.application?.name ?? defaultApplicationName(bankGuid),
            operationMarker(workflowInfo().firstExecutionRunId),
          ),
          ipAllowlist: input.application?.ipAllowlist,
          expiresAt: input.application?.expiresAt,
        },
      ],
    ),
  );
  progress.update({ application: { clientId: credential.clientId, name: credential.name } });

  const verified = input.verifyCredentials ?? true;
  if (verified) {
    progress.step('verifying the credential');
    try {
      await verifyBankCredential.executeWithOptions(
        { summary: `Mint a token with the new credential ${credential.clientId}` },
        [{ bankGuid, clientId: credential.clientId, secretVersion: credential.secretVersion }],
      );
    } catch (err) {
      if (credential.created) {
        await CancellationScope.nonCancellable(async () => {
          progress.step('verification failed: removing the application this run created');
          await removeBankApplication({ clientId: credential.clientId });
          await revokeStoredCredentials({ bankGuid, clientIds: [credential.clientId] });
        });
      }
      throw err;
    }
  }

  const provisioned: ProvisionedUser[] = [];
  progress.step('provisioning users');
  await inBatches(users, progress, async (batch, range) => {
    const outcome = await ensureUsers.executeWithOptions({ summary: `Users ${range}` }, [
      { bankGuid, users: batch },
    ]);
    provisioned.push(...outcome.users);
    failures.push(...outcome.failures);
  });

  if (failures.length > 0) {
    progress.step('finished with users the IdP refused');
    throw ApplicationFailure.create({
      type: 'UsersNotProvisioned',
      nonRetryable: true,
      message: `${failures.length} of ${users.length} users could not be provisioned: ${failures
        .slice(0, 10)
        .map((f) => `${f.subject} (${f.type}: ${f.message})`)
        .join('; ')}${failures.length > 10 ? '; ...' : ''}`,
      // Bounded, so the failure fits a payload however many users were refused.
      details: [
        {
          failures: failures.slice(0, 100),
          failureCount: failures.length,
          provisioned: provisioned.length,
          clientId: credential.clientId,
        },
      ],
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
