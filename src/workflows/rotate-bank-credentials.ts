/**
 * rotateBankCredentials, the four-step rotation: create the pending credential, test it, make it current,
 * and after a grace period (or an operator's completeRotation) finish by deleting the previous one.
 *
 * The old credential stays working until the new one is current and its grace period is over, so a crash
 * at any point never leaves the bank without a working credential. A failed verification, or an operator's
 * cancellation before the last step, rolls back: the new application is deleted and the old one stays
 * current. Either way, once the workflow has ended the bank has exactly one credential.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RotateBankCredentialsInput, RotateBankCredentialsResult } from '../model/contract.js';
import { DEFAULT_GRACE_PERIOD } from '../model/workflow-safe/operations.js';
import {
  markedApplicationName,
  operationMarker,
  rotationBaseName,
} from '../model/workflow-safe/application-names.js';
import { activitySteps } from './activity-proxies.js';
import { completeRotationUpdate } from '../model/workflow-safe/messages.js';
import { ROTATION_WAITING_EVENT } from '../model/workflow-safe/webhook-events.js';
import { emitEvent, operationReference, reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus, type StatusTracker } from './status.js';
import type { TaskBoard } from './tasks.js';

export function rotateBankCredentials(
  rawInput: RotateBankCredentialsInput,
): Promise<RotateBankCredentialsResult> {
  return reportingCompletion('rotateBankCredentials', rawInput, () => rotate(rawInput));
}

/** What a rotation run inside another operation on the bank (reconcileBank) shares with that operation. */
export interface WithinOperation {
  /** Its task board: one set of task handlers and one sequence of task ids per workflow. */
  board: TaskBoard;
  /** Its status: the status query keeps answering for it, tasks on its board included. */
  progress: StatusTracker;
}

/** The rotation inside another operation on the bank (reconcileBank). */
export function rotateWithinOperation(
  rawInput: RotateBankCredentialsInput,
  within: WithinOperation,
): Promise<RotateBankCredentialsResult> {
  return reportingCompletion('rotateBankCredentials', rawInput, () => rotate(rawInput, within));
}

async function rotate(
  rawInput: RotateBankCredentialsInput,
  within?: WithinOperation,
): Promise<RotateBankCredentialsResult> {
  // Registered first: the status query and the update answer while the input is checked.
  const progress = within?.progress ?? trackStatus('rotateBankCredentials', rawInput.bankGuid);
  /** Where the rotation stands: the operator's completeRotation is accepted only while it waits. */
  let phase: 'preparing the new credential' | 'waiting' | 'rolling back' | 'finishing' =
    'preparing the new credential';
  let completedByOperator = false;
  setHandler(
    completeRotationUpdate,
    () => {
      completedByOperator = true;
      return { accepted: true as const };
    },
    {
      validator: () => {
        if (phase !== 'waiting') {
          throw new Error(
            `completeRotation is accepted only while the rotation waits for consumers to switch; it is ${phase}`,
          );
        }
      },
    },
  );

  const input = await checkedInput('rotateBankCredentials', rawInput);
  const {
    createPendingBankApplication,
    currentBankCredential,
    promoteBankCredential,
    recordRotation,
    removeBankApplication,
    revokeStoredCredentials,
    verifyBankCredential,
  } = activitySteps;
  const { bankGuid } = input;
  const gracePeriod = input.gracePeriod ?? DEFAULT_GRACE_PERIOD;

  progress.step('reading the current credential');
  const current = await currentBankCredential({ bankGuid });
  if (!current) {
    throw ApplicationFailure.nonRetryable(
      `Bank ${bankGuid} has no current credential to rotate; onboard it first`,
      'NoCurrentCredential',
    );
  }

  progress.step('creating the pending credential');
  const pending = await CancellationScope.nonCancellable(() =>
    createPendingBankApplication.executeWithOptions(
      { summary: `Create the next OAuth application of bank ${bankGuid}` },
      [
        {
          bankGuid,
          name: markedApplicationName(
            rotationBaseName(input.application?.name ?? current.applicationName, workflowInfo().startTime),
            operationMarker(workflowInfo().firstExecutionRunId),
          ),
          ipAllowlist: input.application?.ipAllowlist,
          expiresAt: input.application?.expiresAt,
        },
      ],
    ),
  );
  progress.update({ application: { clientId: pending.clientId, name: pending.name } });

  let completedBy: RotateBankCredentialsResult['completedBy'];
  try {
    if (input.verify ?? true) {
      progress.step('verifying the pending credential');
      await verifyBankCredential.executeWithOptions(
        { summary: `Mint a token with the pending credential ${pending.clientId}` },
        [{ bankGuid, clientId: pending.clientId, secretVersion: pending.secretVersion }],
      );
    }
    progress.step('making the new credential current');
    await promoteBankCredential({ bankGuid, secretVersion: pending.secretVersion });

    progress.step(`waiting ${gracePeriod} for consumers to switch, or for completeRotation`);
    phase = 'waiting';
    await emitEvent(
      ROTATION_WAITING_EVENT,
      {
        ...operationReference('rotateBankCredentials', bankGuid),
        previousClientId: current.clientId,
        clientId: pending.clientId,
        secretRef: pending.secretRef,
        gracePeriod,
      },
      bankGuid,
    );
    completedBy = (await condition(() => completedByOperator, gracePeriod)) ? 'operator' : 'grace-period';
  } catch (err) {
    phase = 'rolling back';
    await CancellationScope.nonCancellable(async () => {
      progress.step('rolling back: the previous credential stays current');
      await promoteBankCredential({ bankGuid, secretVersion: current.secretVersion });
      await removeBankApplication({ clientId: pending.clientId });
      await revokeStoredCredentials({ bankGuid, clientIds: [pending.clientId] });
    });
    throw err;
  }

  phase = 'finishing';
  const rotatedAt = new Date().toISOString();
  await CancellationScope.nonCancellable(async () => {
    progress.step('deleting the previous application');
    await removeBankApplication.executeWithOptions(
      { summary: `Delete the previous application ${current.clientId}` },
      [{ clientId: current.clientId }],
    );
    await revokeStoredCredentials({ bankGuid, clientIds: [current.clientId] });
    await recordRotation({
      bankGuid,
      rotation: {
        rotatedAt,
        previousClientId: current.clientId,
        clientId: pending.clientId,
        workflowId: workflowInfo().workflowId,
      },
    });
  });
  progress.step('done');
  return {
    bankGuid,
    previousClientId: current.clientId,
    clientId: pending.clientId,
    secretRef: pending.secretRef,
    completedBy,
    rotatedAt,
  };
}
