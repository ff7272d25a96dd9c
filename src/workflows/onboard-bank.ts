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
import { allHandlersFinished, condition } from '@temporalio/workflow';
import { patchedAtStart } from './activity-proxies.js';
import type { OnboardBankInput, OnboardBankResult, OperationFailure } from '../model/contract.js';
import { ensureCredential } from './credential.js';
import { reportingCompletion } from './events.js';
import { credentialHandover, usersFromPerson } from './handover.js';
import { checkedInput } from './input.js';
import { trackStatus } from './status.js';
import { createTaskBoard, decideWriters, type TaskTiming } from './tasks.js';
import { provisionUsers, usersNotProvisioned } from './users.js';

/**
 * Marks runs that ask who makes each write (the worker, or a person through a task). Runs begun before it
 * replay as they ran: the worker made every write.
 */
const WRITES_BY_PEOPLE_PATCH = 'writes-by-people';

export function onboardBank(rawInput: OnboardBankInput): Promise<OnboardBankResult> {
  return reportingCompletion('onboardBank', rawInput, () => onboard(rawInput));
}

async function onboard(rawInput: OnboardBankInput): Promise<OnboardBankResult> {
  /** Users the IdP refused for good: they decide the outcome, and the status query shows them. */
  const failures: OperationFailure[] = [];
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('onboardBank', rawInput.bankGuid, failures);
  const writesByPeople = patchedAtStart(WRITES_BY_PEOPLE_PATCH);
  const input = await checkedInput('onboardBank', rawInput);
  const { bankGuid } = input;
  const users = input.users ?? [];
  const board = createTaskBoard('onboardBank', bankGuid, progress);
  const handover = credentialHandover(bankGuid, board, progress);

  let keyByPerson = false;
  let usersByPerson = false;
  let timing: TaskTiming | undefined;
  if (writesByPeople) {
    const writers = await decideWriters(['createBankApplication', 'createUser'], input.tasks, progress);
    [keyByPerson, usersByPerson] = writers.byPerson as [boolean, boolean];
    timing = writers.timing;
  }

  // A key a person hands over was minted with before it was accepted.
  const verified = keyByPerson || (input.verifyCredentials ?? true);
  const credential = keyByPerson
    ? await handover.credential(input.application ?? {}, timing!)
    : await ensureCredential(bankGuid, input.application ?? {}, verified, progress);
  progress.update({ application: { clientId: credential.clientId, name: credential.name } });
  const provisioned =
    usersByPerson && users.length > 0
      ? await usersFromPerson(bankGuid, users, board, progress, timing!)
      : await provisionUsers(bankGuid, users, progress, failures);

  if (failures.length > 0) {
    progress.step('finished with users the IdP refused');
    throw usersNotProvisioned(failures, users.length, {
      provisioned: provisioned.length,
      clientId: credential.clientId,
    });
  }

  const tasks = board.completed();
  // A duplicate submission may still be answering.
  if (tasks.length > 0) await condition(allHandlersFinished);
  progress.step('done');
  return {
    bankGuid,
    application: { clientId: credential.clientId, name: credential.name, secretRef: credential.secretRef },
    users: provisioned,
    verified,
    ...(tasks.length > 0 ? { tasks } : {}),
  };
}
