/** Reading operations through Temporal: a workflow's description, progress, and result or failure. */
import { WorkflowContinuedAsNewError, WorkflowFailedError } from '@temporalio/client';
import type { ProvisionerClient } from '../client/index.js';
import { failureSummary } from '../model/workflow-safe/failure.js';
import { statusQuery } from '../model/workflow-safe/messages.js';
import { BankGuidKey } from '../model/workflow-safe/search-attributes.js';
import { operationIdOf } from '../model/workflow-safe/webhook-events.js';
import { GRPC_INVALID_ARGUMENT, grpcCodeOf, Problem } from './problems.js';
import { OPERATION_STATES, OPERATION_TYPES, type OperationType, type OperationView } from './schemas.js';

const isOperationType = (type: string): type is OperationType =>
  (OPERATION_TYPES as readonly string[]).includes(type);
const stateOf = (name: string) =>
  OPERATION_STATES.find((state) => state === name.toLowerCase()) ?? ('unknown' as const);

/** The operation `workflowId` ran as `runId` (the latest run when absent); not-found for anything else. */
export async function readOperation(
  client: ProvisionerClient,
  workflowId: string,
  runId?: string,
): Promise<OperationView> {
  const handle = client.client.workflow.getHandle(workflowId, runId);
  const description = await handle.describe().catch((err: unknown) => {
    // Temporal refuses a run id it cannot parse ("failed to describe workflow"): no such operation either.
    if (grpcCodeOf(err) === GRPC_INVALID_ARGUMENT)
      throw new Problem('not-found', `No operation ${workflowId}`);
    throw err;
  });
  if (!isOperationType(description.type)) throw new Problem('not-found', `No operation ${workflowId}`);
  const bankGuid = description.typedSearchAttributes.get(BankGuidKey);
  const view: OperationView = {
    operationId: operationIdOf(workflowId, description.runId),
    operation: description.type,
    workflowId,
    runId: description.runId,
    ...(bankGuid ? { bankGuid } : {}),
    state: stateOf(description.status.name),
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
  };
  const run = client.client.workflow.getHandle(workflowId, description.runId, { followRuns: false });
  if (view.state === 'running') {
    // Progress needs a worker to answer the query; without one the state still tells.
    const progress = await run.query(statusQuery).catch(() => undefined);
    return progress ? { ...view, progress } : view;
  }
  try {
    return { ...view, result: (await run.result()) as OperationView['result'] };
  } catch (err) {
    // A run that continued as new has no result of its own: its state says where to look.
    if (err instanceof WorkflowContinuedAsNewError) return view;
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { ...view, failure: failureSummary(err) };
  }
}
