/**
 * rotateBankCredentials, the four-step rotation: create the pending credential, test it, make it current,
 * and after a grace period (or an operator's completeRotation) finish by deleting the previous one.
 *
 * The old credential stays working until the new one is current and its grace period is over, so a crash
 * at any point never leaves the bank without a working credential. A failed verification, or an operator's
 * cancellation before the last step, rolls back: the new application is deleted and the old one stays
 * current. Either way, once the workflow has ended the bank has exactly one credential.
 *
 * Where the worker may not write (idp/permissions.ts decideWrite), a person does: the new key through a
 * create-bank-api-key task and its handover (stored as the pending version: the current credential keeps
 * working), the old key's deletion through a delete-bank-api-key task checked by reading the IdP. The
 * create task's reminders come more often as the current key's expiry nears.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BankCredential } from '../activities/applications.js';
import type { RotateBankCredentialsInput, RotateBankCredentialsResult } from '../model/contract.js';
import { DEFAULT_GRACE_PERIOD } from '../model/workflow-safe/operations.js';
import { durationMs } from '../model/workflow-safe/durations.js';
import {
  markedApplicationName,
  operationMarker,
  rotationBaseName,
} from '../model/workflow-safe/application-names.js';
import { activitySteps } from './activity-proxies.js';
import { keysDeletedByPerson } from './application-revocation.js';
import { credentialHandover } from './handover.js';
import { createTaskBoard, decideWriters, type TaskTiming } from './tasks.js';
import { completeRotationUpdate } from '../model/workflow-safe/messages.js';
import { ROTATION_WAITING_EVENT } from '../model/workflow-safe/webhook-events.js';
import { emitEvent, operationReference, reportingCompletion } from './events.js';
import { checkedInput } from './input.js';
import { trackStatus, type StatusTracker } from './status.js';
import type { TaskBoard } from './tasks.js';

/**
 * Marks runs that ask who makes the rotation's writes (the worker, or a person through tasks). Runs begun
 * before it replay as they ran: the worker made every write.
 */
const ROTATION_BY_PEOPLE_PATCH = 'rotation-writes-by-people';

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
  // Inside a reconcile, its board: one sequence of task ids, and the status lists the reconcile's tasks too.
  const board = within?.board ?? createTaskBoard('rotateBankCredentials', input.bankGuid, progress);
  const handover = credentialHandover(input.bankGuid, board, progress, 'pending');
  const {
    bankApiKeys,
    createPendingBankApplication,
    currentBankCredential,
    prepareRotationKeyTask,
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

  let keyByPerson = false;
  let deleteByPerson = false;
  let timing: TaskTiming | undefined;
  if (patched(ROTATION_BY_PEOPLE_PATCH)) {
    const writers = await decideWriters(
      ['createBankApplication', 'deleteBankApplication'],
      input.tasks,
      progress,
    );
    [keyByPerson, deleteByPerson] = writers.byPerson as [boolean, boolean];
    timing = writers.timing;
  }
  const nextApplication = {
    bankGuid,
    name: markedApplicationName(
      rotationBaseName(input.application?.name ?? current.applicationName, workflowInfo().startTime),
      operationMarker(workflowInfo().firstExecutionRunId),
    ),
    ipAllowlist: input.application?.ipAllowlist,
    expiresAt: input.application?.expiresAt,
  };

  /** The key a person creates and hands over, stored as the pending version. */
  const keyFromPerson = async (): Promise<BankCredential> => {
    progress.step('waiting for a person to create the new API key');
    const prepared = await prepareRotationKeyTask.executeWithOptions(
      { summary: `Say what key a person is to create for bank ${bankGuid}` },
      [nextApplication],
    );
    try {
      return await handover.handedOver(prepared.values, {
        ...timing!,
        ...(prepared.currentKeyExpiresAt ? { keyExpiresAt: prepared.currentKeyExpiresAt } : {}),
      });
    } catch (err) {
      // Cancelled (or expired) just as a submission was accepted: its stored secret is not left behind.
      const accepted = handover.accepted();
      if (accepted)
        await CancellationScope.nonCancellable(() =>
          revokeStoredCredentials({ bankGuid, clientIds: [accepted.clientId] }),
        );
      throw err;
    }
  };

  /** A person deletes `clientId` (a delete-bank-api-key task, checked by reading the IdP). */
  const keyDeletedByPerson = async (clientId: string): Promise<void> => {
    const keys = await bankApiKeys.executeWithOptions(
      { summary: `Find the API key ${clientId} a person is to delete` },
      [{ bankGuid, clientIds: [clientId] }],
    );
    await keysDeletedByPerson(bankGuid, keys, board, progress, timing!);
  };

  progress.step('creating the pending credential');
  const pending = keyByPerson
    ? await keyFromPerson()
    : await CancellationScope.nonCancellable(() =>
        createPendingBankApplication.executeWithOptions(
          { summary: `Create the next OAuth application of bank ${bankGuid}` },
          [nextApplication],
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
    // In milliseconds by our own reading: the contract's duration grammar is wider than the SDK's.
    const graceMs = durationMs(gracePeriod);
    completedBy = (await condition(() => completedByOperator, graceMs)) ? 'operator' : 'grace-period';
  } catch (err) {
    phase = 'rolling back';
    await CancellationScope.nonCancellable(async () => {
      progress.step('rolling back: the previous credential stays current');
      await promoteBankCredential({ bankGuid, secretVersion: current.secretVersion });
      if (deleteByPerson) {
        // The new key's stored secret is revoked at once, so nothing the worker keeps can use it; the
        // rollback then waits for a person to delete the key itself (a second cancellation does not stop
        // it: the key would stay live in the IdP with nobody asked to remove it), or fails TaskExpired.
        await revokeStoredCredentials({ bankGuid, clientIds: [pending.clientId] });
        await keyDeletedByPerson(pending.clientId);
        return;
      }
      await removeBankApplication({ clientId: pending.clientId });
      await revokeStoredCredentials({ bankGuid, clientIds: [pending.clientId] });
    });
    throw err;
  }

  phase = 'finishing';
  const rotatedAt = new Date().toISOString();
  await CancellationScope.nonCancellable(async () => {
    progress.step('deleting the previous application');
    if (deleteByPerson) {
      // Checked with the previous secret still stored (a read shows it no longer mints a token); revoked
      // afterwards, and revoked too when the task expires: the bank uses the new key by now.
      try {
        await keyDeletedByPerson(current.clientId);
      } finally {
        await revokeStoredCredentials({ bankGuid, clientIds: [current.clientId] });
      }
    } else {
      await removeBankApplication.executeWithOptions(
        { summary: `Delete the previous application ${current.clientId}` },
        [{ clientId: current.clientId }],
      );
      await revokeStoredCredentials({ bankGuid, clientIds: [current.clientId] });
    }
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
  const tasks = board.completed();
  // A duplicate submission or a `tasks check` may still be answering.
  if (tasks.length > 0) await condition(allHandlersFinished);
  progress.step('done');
  return {
    bankGuid,
    previousClientId: current.clientId,
    clientId: pending.clientId,
    secretRef: pending.secretRef,
    completedBy,
    rotatedAt,
    ...(tasks.length > 0 ? { tasks } : {}),
  };
}
