/**
 * What operators see of a running workflow: the `status` query and the Web UI's current details, kept in
 * step by one small tracker.
 */
import { setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { OperationStatus } from '../model/contract.js';
import { statusQuery } from '../model/messages.js';

export function trackStatus(operation: string, bankGuid: string | undefined) {
  const status: OperationStatus = { operation, bankGuid, step: 'starting', failures: [] };
  setHandler(statusQuery, () => status);

  const publish = () => {
    const users = status.users ? ` — users ${status.users.done}/${status.users.total}` : '';
    const failures = status.failures.length ? ` — ${status.failures.length} failed` : '';
    setCurrentDetails(
      `**${operation}**${bankGuid ? ` bank \`${bankGuid}\`` : ''}: ${status.step}${users}${failures}`,
    );
  };

  return {
    status,
    step(step: string) {
      status.step = step;
      publish();
    },
    update(change: Partial<OperationStatus>) {
      Object.assign(status, change);
      publish();
    },
  };
}
