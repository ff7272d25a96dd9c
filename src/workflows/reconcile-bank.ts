/**
 * reconcileBank: brings one bank to its manifest entry, under the bank's one workflow id (so it never
 * interleaves with another operation on the bank). It plans again from what it observes when it starts (the
 * plan `apply` showed may be minutes old), then does what the plan says with the activities onboarding and
 * rotation use: the application found or created and verified, its allowlist and name changed in place,
 * users ensured, unnamed users disabled (prune), and a credential replaced through the rotation workflow,
 * last, because it waits for its grace period (`complete-rotation` ends the wait early).
 */
import { allHandlersFinished, ApplicationFailure, condition, patched } from '@temporalio/workflow';
import type { OperationFailure, RotateBankCredentialsResult } from '../model/contract.js';
import type { ReconcileBankInput, ReconcileBankResult } from '../model/desired-state.js';
import type { BankAction } from '../model/plan.js';
import { planBank, userIndex, withWriters, writesOfAll } from '../model/workflow-safe/planner.js';
import { observeBanks, steps } from './activity-proxies.js';
import { ensureCredential } from './credential.js';
import { credentialHandover, usersDisabledByPerson, usersFromPerson } from './handover.js';
import { parsedInput } from './input.js';
import { keyChangedByPerson, scopesChangedByPerson } from './reconcile-by-people.js';
import { rotateWithinOperation } from './rotate-bank-credentials.js';
import { trackStatus } from './status.js';
import { createTaskBoard, decideWriters, type TaskTiming } from './tasks.js';
import { disableInBatches, provisionUsers, usersNotProvisioned } from './users.js';

type Of<K extends BankAction['kind']> = Extract<BankAction, { kind: K }>;
const USER_WORK: ReadonlySet<BankAction['kind']> = new Set([
  'create-user',
  'update-user-scopes',
  'record-user',
]);

/**
 * Marks runs that ask who makes each write (the worker, or a person through a task). Runs begun before it
 * replay as they ran: the worker made every write.
 */
const WRITES_BY_PEOPLE_PATCH = 'reconcile-writes-by-people';

export async function reconcileBank(rawInput: ReconcileBankInput): Promise<ReconcileBankResult> {
  const failures: OperationFailure[] = [];
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('reconcileBank', rawInput.bank?.bankGuid, failures);
  const { bank, prune } = await parsedInput('reconcileBank', rawInput);
  const { bankGuid } = bank;
  const { observeUsers, recordDisabledUsers, revokeStoredCredentials, updateBankApplication } = steps();
  // One board for the whole reconcile, its rotation included: one set of task handlers, unique task ids.
  const board = createTaskBoard('reconcileBank', bankGuid, progress);
  const handover = credentialHandover(bankGuid, board, progress);

  progress.step('reading the bank');
  const [observed] = await observeBanks.executeWithOptions({ summary: `Read bank ${bankGuid}` }, [
    { bankGuids: [bankGuid] },
  ]);
  const recorded = observed!.recordedUsers.map((u) => u.guid);
  const users = recorded.length > 0 ? await observeUsers({ guids: recorded }) : [];
  const plan = planBank(bank, observed!, userIndex(users), { prune, nowMs: Date.now() });
  if (plan.problems.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `Bank ${bankGuid} cannot be reconciled: ${plan.problems.join('; ')}`,
      'ManifestProblem',
    );
  }
  let actions = plan.actions;
  let timing: TaskTiming | undefined;
  const writes = writesOfAll(actions);
  if (writes.length > 0 && patched(WRITES_BY_PEOPLE_PATCH)) {
    const writers = await decideWriters(writes, undefined, progress);
    actions = withWriters(actions, writers.decisions);
    timing = writers.timing;
  }
  const actionsOf = <K extends BankAction['kind']>(kind: K) =>
    actions.filter((action): action is Of<K> => action.kind === kind);
  const byPerson = (action: BankAction) => 'by' in action && action.by === 'person';

  for (const create of actionsOf('create-application')) {
    if (byPerson(create)) await handover.credential(create, timing!);
    else await ensureCredential(bankGuid, create, true, progress);
    // The stored credential of an application deleted by hand no longer works: revoke it.
    const deleted = plan.findings.flatMap((f) =>
      f.kind === 'application-missing' && f.deletedClientId ? [f.deletedClientId] : [],
    );
    if (deleted.length > 0) await revokeStoredCredentials({ bankGuid, clientIds: deleted });
  }

  for (const update of actionsOf('update-application')) {
    if (byPerson(update)) {
      const app = observed!.applications.find((a) => a.clientId === update.clientId)!;
      await keyChangedByPerson(bankGuid, update, app, board, progress, timing!);
      continue;
    }
    progress.step('updating the application');
    await updateBankApplication.executeWithOptions(
      {
        summary: `Change ${[update.ipAllowlist && 'the IP allowlist', update.name && 'the name'].filter(Boolean).join(' and ')} of application ${update.clientId}`,
      },
      [{ clientId: update.clientId, name: update.name?.to, ipAllowlist: update.ipAllowlist?.to }],
    );
  }

  // Users a person invites, then scopes a person changes (each one task, checked by reading the IdP); what is
  // left (the worker's writes, and recording users the IdP has as asked) goes through provisionUsers.
  const specOf = (email: string) =>
    (bank.users ?? []).find((u) => u.email.toLowerCase() === email.toLowerCase())!;
  const invited = actionsOf('create-user').filter(byPerson);
  if (invited.length > 0)
    await usersFromPerson(
      bankGuid,
      invited.map((a) => specOf(a.email)),
      board,
      progress,
      timing!,
    );
  const rescoped = actionsOf('update-user-scopes').filter(byPerson);
  if (rescoped.length > 0) await scopesChangedByPerson(rescoped, board, progress, timing!);
  const emails = new Set(
    actions.flatMap((a) =>
      USER_WORK.has(a.kind) && 'email' in a && !byPerson(a) ? [a.email.toLowerCase()] : [],
    ),
  );
  const specs = (bank.users ?? []).filter((u) => emails.has(u.email.toLowerCase()));
  if (specs.length > 0) await provisionUsers(bankGuid, specs, progress, failures);

  const disables = actionsOf('disable-user');
  if (disables.length > 0) {
    const disabled = byPerson(disables[0]!)
      ? await disabledByPerson(disables)
      : await disableInBatches(
          disables.map((a) => a.guid),
          progress,
        );
    await recordDisabledUsers({ bankGuid, guids: disabled });
  }
  async function disabledByPerson(named: Of<'disable-user'>[]): Promise<string[]> {
    const asked = named.map(({ email, guid }) => ({ email, guid }));
    await usersDisabledByPerson(asked, board, progress, timing!);
    return asked.map((u) => u.guid);
  }

  let rotation: RotateBankCredentialsResult | undefined;
  for (const rotate of actionsOf('rotate-credential')) {
    rotation = await rotateWithinOperation(
      {
        bankGuid,
        gracePeriod: bank.rotation?.gracePeriod,
        application: {
          name: bank.application?.name,
          ipAllowlist: bank.application?.ipAllowlist,
          expiresAt: rotate.expiresAt,
        },
      },
      { board, progress },
    );
  }

  if (failures.length > 0)
    throw usersNotProvisioned(failures, specs.length, { provisioned: specs.length - failures.length });
  const tasks = board.completed();
  // A submission or confirmation sent twice may still be answering.
  if (tasks.length > 0) await condition(allHandlersFinished);
  progress.step('done');
  return { bankGuid, actions, ...(rotation ? { rotation } : {}), ...(tasks.length > 0 ? { tasks } : {}) };
}
