/**
 * What operators see of a running workflow: the `status` query and the Web UI's current details (with what
 * each open task asks of a person). The workflow
 * keeps its own state (the failures it collected decide its outcome) and the tracker only shows it, beside
 * what exists only to be shown: the wording of the step, users done/total, the application in hand.
 */
import { setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { OperationFailure, OperationStatus } from '../model/contract.js';
import { describeProgress, FAILURES_LISTED } from '../model/workflow-safe/operations.js';
import { statusQuery } from '../model/workflow-safe/messages.js';

type Shown = Pick<OperationStatus, 'step' | 'users' | 'application' | 'writes' | 'tasks'>;

export interface StatusTracker {
  step(step: string): void;
  update(change: Partial<Shown>): void;
}

/** `failures` is the workflow's own list, read (never written) by the query. */
export function trackStatus(
  operation: string,
  bankGuid: string | undefined,
  failures: readonly OperationFailure[] = [],
): StatusTracker {
  const shown: Shown = { step: 'starting' };
  const status = (): OperationStatus => ({
    operation,
    bankGuid,
    ...shown,
    failures: failures.slice(0, FAILURES_LISTED),
    failureCount: failures.length,
  });
  setHandler(statusQuery, status);

  const update = (change: Partial<Shown>) => {
    Object.assign(shown, change);
    setCurrentDetails(currentDetails(status()));
  };
  return { step: (step) => update({ step }), update };
}

/** The Web UI's current details (Markdown): the progress, then what each open task asks of a person. */
function currentDetails(status: OperationStatus): string {
  const open = (status.tasks ?? []).filter((task) => task.state === 'open');
  if (open.length === 0) return describeProgress(status);
  return [
    describeProgress(status),
    '',
    '**Waiting for a person** (`provisioner tasks` lists the values to type):',
    ...open.map((t) => `- ${t.kind}, task \`${t.taskId}\`, due ${t.deadline}: ${t.instructions}`),
  ].join('\n');
}
