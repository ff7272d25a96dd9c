/** Reading: a bank's status (latest operation, rotation schedule, past rotations) and one operation. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ProvisionerClient } from '../../client/index.js';
import type { ProvisioningLedger } from '../../ledger/index.js';
import { bankWorkflowId } from '../../model/contract.js';
import { parseOperationId } from '../../model/workflow-safe/webhook-events.js';
import { readOperation } from '../operations.js';
import { Problem } from '../problems.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { BankPath, BankStatus, OperationPath, OperationView } from '../schemas.js';

export function readRoutes(client: ProvisionerClient, ledger: ProvisioningLedger): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/banks/{bankGuid}',
      operationId: 'getBankStatus',
      summary: "A bank's status",
      description:
        'The latest operation on the bank (running or finished), its rotation schedule, past rotations and the tasks people completed for it.',
      permission: 'read',
      params: BankPath,
      success: { status: 200, description: 'The bank', schema: BankStatus },
      problems: [],
      handle: async ({ params: { bankGuid } }) => {
        const [latest, schedule, rotations, taskCompletions] = await Promise.all([
          // No workflow, or one that is not an operation: the bank has no latest operation (never a 404 here).
          readOperation(client, bankWorkflowId(bankGuid)).catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return null;
            if (err instanceof Problem && err.problem === 'not-found') return null;
            throw err;
          }),
          client.rotationSchedule(bankGuid),
          ledger.rotationsOf(bankGuid),
          ledger.taskCompletionsOf(bankGuid),
        ]);
        const body: BankStatus = { bankGuid, latest, schedule: schedule ?? null, rotations, taskCompletions };
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/operations/{operationId}',
      operationId: 'getOperation',
      summary: 'One operation',
      description:
        'Its state, its progress while it runs, then its result (secret references, never a secret) or its failure.',
      permission: 'read',
      params: OperationPath,
      success: { status: 200, description: 'The operation', schema: OperationView },
      problems: ['not-found'],
      handle: async ({ params }) => {
        const id = parseOperationId(params.operationId);
        if (!id) throw new Problem('not-found', `No operation ${params.operationId}`);
        return { status: 200, body: await readOperation(client, id.workflowId, id.runId) };
      },
    }),
  ];
}
