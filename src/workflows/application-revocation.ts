/**
 * Revoking a bank's applications: shared by revokeBankCredentials and offboardBank. The worker deletes
 * them, or, when it may not (idp/permissions.ts decideWrite), a person does in the Partner Portal: one
 * delete-bank-api-key task per key, all open at once, each completed when a read shows the key gone.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { TaskTiming as RequestedTiming } from '../model/contract.js';
import type { DeleteBankApiKeyValues } from '../model/workflow-safe/tasks.js';
import { patchedAtStart, steps } from './activity-proxies.js';
import type { StatusTracker } from './status.js';
import { decideWriters, type TaskBoard, type TaskTiming } from './tasks.js';

/**
 * Marks runs that ask who deletes the bank's keys (the worker, or a person through delete-bank-api-key
 * tasks). Runs begun before it replay as they ran: the worker deleted them.
 */
const KEY_DELETES_BY_PEOPLE_PATCH = 'key-deletes-by-people';

/** Whether this run asks who deletes the bank's keys: asked at the run's start (see patchedAtStart). */
export const keyDeletesByPeople = () => patchedAtStart(KEY_DELETES_BY_PEOPLE_PATCH);

export interface Revocation {
  /** Applications of the bank that this revocation deleted (or a person did, verified by reads). */
  revoked: string[];
  /** Client ids asked for that the IdP does not list for this bank (gone already, or another bank's). */
  notFound: string[];
}

/** Where a person may be asked to delete the keys: the operation's task board and its own timing. */
export interface PersonDeletes {
  board: TaskBoard;
  progress: StatusTracker;
  requested: RequestedTiming | undefined;
}

/**
 * Deletes the given applications of the bank (default: all of them) and marks their stored secrets revoked.
 * Only applications the IdP lists for this bank are deleted, so a client id of another bank is never
 * touched, and only those are reported revoked (running twice is harmless: the second run revokes
 * nothing). A stored secret of an application already gone is revoked too. The worker's deletes are not
 * interruptible halfway; when a person deletes (`people` given and decideWrite says so), see revokeByPerson.
 */
export async function revokeApplications(
  bankGuid: string,
  clientIds: string[] | undefined,
  people?: PersonDeletes,
): Promise<Revocation> {
  if (people && keyDeletesByPeople()) {
    const writers = await decideWriters(['deleteBankApplication'], people.requested, people.progress);
    if (writers.byPerson[0]) return revokeByPerson(bankGuid, clientIds, people, writers.timing);
  }
  return CancellationScope.nonCancellable(async () => {
    const { listBankApplicationIds, removeBankApplication, revokeStoredCredentials } = steps();
    const existing = await listBankApplicationIds({ bankGuid });
    const targets = clientIds ?? existing;
    const revoked = targets.filter((id) => existing.includes(id));
    for (const clientId of revoked) {
      await removeBankApplication.executeWithOptions(
        { summary: `Delete application ${clientId} of bank ${bankGuid}` },
        [{ clientId }],
      );
    }
    await revokeStoredCredentials({ bankGuid, clientIds: targets });
    return { revoked, notFound: targets.filter((id) => !existing.includes(id)) };
  });
}

/**
 * An emergency: the stored secrets are revoked at once, before any person acts, so nothing the worker keeps
 * mints a token from then on; then a person deletes each listed key. Cancelling while the person has not
 * finished closes the tasks and loses nothing: the secrets are revoked already.
 */
async function revokeByPerson(
  bankGuid: string,
  clientIds: string[] | undefined,
  { board, progress }: PersonDeletes,
  timing: TaskTiming,
): Promise<Revocation> {
  const { bankApiKeys, revokeStoredCredentials } = steps();
  const listed = await bankApiKeys.executeWithOptions(
    { summary: `List the API keys of bank ${bankGuid} a person is to delete` },
    [{ bankGuid, ...(clientIds ? { clientIds } : {}) }],
  );
  const targets = clientIds ?? listed.map((k) => k.clientId);
  progress.step('revoking the stored secrets at once');
  await CancellationScope.nonCancellable(() => revokeStoredCredentials({ bankGuid, clientIds: targets }));
  await keysDeletedByPerson(bankGuid, listed, board, progress, timing);
  const revoked = new Set(listed.map((k) => k.clientId));
  return { revoked: [...revoked], notFound: targets.filter((id) => !revoked.has(id)) };
}

/**
 * A person deletes `keys` in the Partner Portal: one delete-bank-api-key task each, all open at once, each
 * completed when a read shows its key gone (checkBankApiKeyGone). Returns once every one is; TaskExpired
 * when one passes its deadline (after every task has ended, so each says how it ended).
 */
export async function keysDeletedByPerson(
  bankGuid: string,
  keys: readonly DeleteBankApiKeyValues[],
  board: TaskBoard,
  progress: StatusTracker,
  timing: TaskTiming,
): Promise<void> {
  const { checkBankApiKeyGone } = steps();
  progress.step(`waiting for a person to delete ${keys.length} API key${keys.length === 1 ? '' : 's'}`);
  const tasks = [];
  for (const key of keys)
    tasks.push(
      await board.open('delete-bank-api-key', { ...key }, deleteInstructions(bankGuid, key), timing),
    );
  const outcomes = await Promise.allSettled(
    tasks.map((task, i) =>
      board.waitFor(task, async () => {
        const seen = await checkBankApiKeyGone.executeWithOptions(
          { summary: `Look whether API key ${keys[i]!.clientId} of bank ${bankGuid} is deleted` },
          [{ bankGuid, key: keys[i]! }],
        );
        return seen.problem;
      }),
    ),
  );
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

function deleteInstructions(bankGuid: string, { clientId, guid, name }: DeleteBankApiKeyValues): string {
  return `In the Cybrid Partner Portal (Developers), delete bank ${bankGuid}'s API key "${name}" (client id ${clientId}, guid ${guid}). The worker notices by reading the IdP; \`provisioner tasks check ${bankGuid}\` makes it look at once.`;
}
