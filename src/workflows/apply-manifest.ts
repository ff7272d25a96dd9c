/**
 * applyManifest: reconciles the banks of a manifest, each by a reconcileBank child under the bank's one
 * workflow id, at most `concurrency` at once. A bank with another operation in progress is reported busy
 * (apply again later); a bank whose reconcile fails is reported with its cause, and the others go on.
 * Progress (banks done, running, failed) shows in the status query and the Web UI's current details.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, ParentClosePolicy } from '@temporalio/workflow';
import type { OperationFailure } from '../model/contract.js';
import { bankWorkflowId } from '../model/workflow-safe/operations.js';
import type { ApplyManifestInput, ApplyManifestResult, BankOutcome } from '../model/desired-state.js';
import { describeFailure } from '../model/workflow-safe/failure.js';
import type { Manifest } from '../model/manifest.js';
import { operationSearchAttributes } from '../model/workflow-safe/search-attributes.js';
import { forEachConcurrently } from './concurrency.js';
import { parsedInput } from './input.js';
import { reconcileBank } from './reconcile-bank.js';
import { trackStatus } from './status.js';

export async function applyManifest(rawInput: ApplyManifestInput): Promise<ApplyManifestResult> {
  const failures: OperationFailure[] = [];
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('applyManifest', undefined, failures);
  const { manifest, bankGuids, concurrency } = await parsedInput('applyManifest', rawInput);
  const wanted = bankGuids && new Set(bankGuids);
  const banks = manifest.banks.filter((bank) => !wanted || wanted.has(bank.bankGuid));

  const outcomes = new Map<string, BankOutcome>();
  let running = 0;
  // The failures (busy or failed banks) are shown beside the step, as every operation's are.
  const show = () =>
    progress.step(`reconciling banks: ${outcomes.size} of ${banks.length} done, ${running} running`);
  show();
  await forEachConcurrently(banks, concurrency, async (bank) => {
    running++;
    show();
    outcomes.set(bank.bankGuid, await reconcile(manifest, bank, failures));
    running--;
    show();
  });

  const result = banks.map((bank) => outcomes.get(bank.bankGuid)!);
  const count = (outcome: BankOutcome['outcome']) => result.filter((r) => r.outcome === outcome).length;
  progress.step(`done: ${count('applied')} applied, ${count('busy')} busy, ${count('failed')} failed`);
  return {
    manifest: manifest.name,
    banks: result,
    summary: { applied: count('applied'), busy: count('busy'), failed: count('failed') },
  };
}

async function reconcile(
  manifest: Manifest,
  bank: Manifest['banks'][number],
  failures: OperationFailure[],
): Promise<BankOutcome> {
  const { bankGuid } = bank;
  try {
    const result = await executeChild(reconcileBank, {
      workflowId: bankWorkflowId(bankGuid),
      args: [{ manifest: manifest.name, bank, prune: manifest.prune }],
      typedSearchAttributes: operationSearchAttributes('reconcileBank', bankGuid),
      staticSummary: `Reconcile bank ${bankGuid} with manifest ${manifest.name}`,
      // Cancelling the apply asks each reconcile to stop (a rotation in progress rolls back).
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    return {
      bankGuid,
      outcome: 'applied',
      actions: result.actions,
      ...(result.tasks ? { tasks: result.tasks } : {}),
    };
  } catch (err) {
    const busy = err instanceof WorkflowExecutionAlreadyStartedError;
    const error = busy ? `another operation on bank ${bankGuid} is in progress` : describeFailure(err);
    failures.push({ subject: bankGuid, type: busy ? 'BankBusy' : 'ReconcileFailed', message: error });
    return { bankGuid, outcome: busy ? 'busy' : 'failed', error };
  }
}
