/** `--wait`: live progress from the `status` query on a terminal, then the result or a one-line failure. */
import { WorkflowFailedError, type WorkflowHandle, type Workflow } from '@temporalio/client';
import { describeProgress, type OperationStatus } from '../model/contract.js';
import { describeFailure } from '../model/workflow-safe/failure.js';
import { CliError, progressLine } from './output.js';

export async function waitWithProgress<W extends Workflow>(
  handle: WorkflowHandle<W>,
): Promise<Awaited<ReturnType<W>>> {
  const progress = progressLine();
  const timer = process.stderr.isTTY
    ? setInterval(() => {
        handle
          .query<OperationStatus>('status')
          .then((status) => progress.show(describeProgress(status)))
          .catch(() => undefined); // progress is best effort; the result below is what counts
      }, 500)
    : undefined;
  try {
    return (await handle.result()) as Awaited<ReturnType<W>>;
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      throw new CliError(`workflow ${handle.workflowId} failed: ${describeFailure(err)}`);
    }
    throw err;
  } finally {
    clearInterval(timer);
    progress.done();
  }
}
