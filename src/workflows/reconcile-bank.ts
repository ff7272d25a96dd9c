/**
 * reconcileBank: brings one bank to its manifest entry, under the bank's one workflow id (so it never
 * interleaves with another operation on the bank). It plans again from what it observes when it starts (the
 * plan `apply` showed may be minutes old), then does what the plan says with the activities onboarding and
 * rotation use: the application found or created and verified, its allowlist and name changed in place,
 * users ensured, unnamed users disabled (prune), and a credential replaced through the rotation workflow,
 * last, because it waits for its grace period (`complete-rotation` ends the wait early).
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { OperationFailure, RotateBankCredentialsResult } from '../model/contract.js';
import type { ReconcileBankInput, ReconcileBankResult } from '../model/desired-state.js';
import type { BankAction } from '../model/plan.js';
import { planBank, userIndex } from '../model/workflow-safe/planner.js';
import { observeBanks, steps } from './activity-proxies.js';
import { ensureCredential } from './credential.js';
import { disableInBatches } from './users.js';
import { parsedInput } from './input.js';
import { rotateBankCredentials } from './rotate-bank-credentials.js';
import { trackStatus } from './status.js';
import { provisionUsers, usersNotProvisioned } from './users.js';

type Of<K extends BankAction['kind']> = Extract<BankAction, { kind: K }>;
const USER_WORK: ReadonlySet<BankAction['kind']> = new Set([
  'create-user',
  'update-user-scopes',
  'record-user',
]);

export async function reconcileBank(rawInput: ReconcileBankInput): Promise<ReconcileBankResult> {
  const failures: OperationFailure[] = [];
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('reconcileBank', rawInput.bank?.bankGuid, failures);
  const { bank, prune } = await parsedInput('reconcileBank', rawInput);
  const { bankGuid } = bank;
  const { observeUsers, recordDisabledUsers, revokeStoredCredentials, updateBankApplication } = steps();

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
  const actionsOf = <K extends BankAction['kind']>(kind: K) =>
    plan.actions.filter((action): action is Of<K> => action.kind === kind);

  for (const create of actionsOf('create-application')) {
    await ensureCredential(bankGuid, create, true, progress);
    // The stored credential of an application deleted by hand no longer works: revoke it.
    const deleted = plan.findings.flatMap((f) =>
      f.kind === 'application-missing' && f.deletedClientId ? [f.deletedClientId] : [],
    );
    if (deleted.length > 0) await revokeStoredCredentials({ bankGuid, clientIds: deleted });
  }

  for (const update of actionsOf('update-application')) {
    progress.step('updating the application');
    await updateBankApplication.executeWithOptions(
      {
        summary: `Change ${[update.ipAllowlist && 'the IP allowlist', update.name && 'the name'].filter(Boolean).join(' and ')} of application ${update.clientId}`,
      },
      [{ clientId: update.clientId, name: update.name?.to, ipAllowlist: update.ipAllowlist?.to }],
    );
  }

  const emails = new Set(
    plan.actions.flatMap((a) => (USER_WORK.has(a.kind) && 'email' in a ? [a.email.toLowerCase()] : [])),
  );
  const specs = (bank.users ?? []).filter((u) => emails.has(u.email.toLowerCase()));
  if (specs.length > 0) await provisionUsers(bankGuid, specs, progress, failures);

  const disables = actionsOf('disable-user').map((a) => a.guid);
  if (disables.length > 0) {
    const disabled = await disableInBatches(disables, progress);
    await recordDisabledUsers({ bankGuid, guids: disabled });
  }

  let rotation: RotateBankCredentialsResult | undefined;
  for (const rotate of actionsOf('rotate-credential')) {
    rotation = await rotateBankCredentials({
      bankGuid,
      gracePeriod: bank.rotation?.gracePeriod,
      application: {
        name: bank.application?.name,
        ipAllowlist: bank.application?.ipAllowlist,
        expiresAt: rotate.expiresAt,
      },
    });
  }

  if (failures.length > 0)
    throw usersNotProvisioned(failures, specs.length, { provisioned: specs.length - failures.length });
  progress.step('done');
  return { bankGuid, actions: plan.actions, ...(rotation ? { rotation } : {}) };
}
