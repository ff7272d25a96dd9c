/**
 * The typed client for onboarding systems (and the CLI): validates input at the edge with the contract's
 * zod schemas, starts each per-bank operation under the bank's one workflow id (so operations on a bank
 * never interleave), waits for results and reads status.
 */
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  type Connection,
  type Workflow,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { z } from 'zod';
import {
  bankWorkflowId,
  describeIssues,
  OnboardBankInput,
  type OperationStatus,
} from '../contract.js';
import { BankGuidKey, ProvisioningOperationKey } from '../search-attributes.js';
import type { onboardBank } from '../workflows/index.js';

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** Another operation on the same bank is still running (design decision 5). */
export class BankBusyError extends Error {
  override name = 'BankBusyError';
}

export interface ProvisionerClientOptions {
  connection: Connection;
  namespace: string;
  taskQueue: string;
  dataConverter?: DataConverter;
}

function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(`Invalid input: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export class ProvisionerClient {
  readonly client: Client;
  readonly taskQueue: string;

  constructor(options: ProvisionerClientOptions) {
    this.client = new Client({
      connection: options.connection,
      namespace: options.namespace,
      dataConverter: options.dataConverter,
    });
    this.taskQueue = options.taskQueue;
  }

  /** Starts a per-bank operation; rejects with BankBusyError while another one runs for the bank. */
  async startBankOperation<W extends Workflow>(
    workflowType: string,
    bankGuid: string,
    input: unknown,
    summary: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<W>> {
    const workflowId = bankWorkflowId(bankGuid);
    try {
      const handle = await this.client.workflow.start(workflowType, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: BankGuidKey, value: bankGuid },
          { key: ProvisioningOperationKey, value: workflowType },
        ],
        staticSummary: summary,
      });
      return handle as WorkflowHandleWithFirstExecutionRunId<W>;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const running = await this.client.workflow.getHandle(workflowId).describe();
      throw new BankBusyError(
        `Bank ${bankGuid} already has an operation in progress: ${running.type} (workflow ${workflowId}, run ${running.runId}, started ${running.startTime.toISOString()}); wait for it to finish or cancel it first`,
      );
    }
  }

  startOnboarding(input: OnboardBankInput) {
    const valid = validate(OnboardBankInput, input);
    const users = valid.users?.length ?? 0;
    return this.startBankOperation<typeof onboardBank>(
      'onboardBank',
      valid.bankGuid,
      valid,
      `Onboard bank ${valid.bankGuid}: application${users ? ` and ${users} users` : ''}`,
    );
  }

  /** The `status` query of the bank's latest operation (running or finished). */
  async status(bankGuid: string): Promise<{ workflowId: string; type: string; state: string; status?: OperationStatus }> {
    const handle = this.client.workflow.getHandle(bankWorkflowId(bankGuid));
    const description = await handle.describe();
    let status: OperationStatus | undefined;
    try {
      status = await handle.query<OperationStatus>('status');
    } catch {
      status = undefined; // e.g. no worker is polling right now; the description still tells the state
    }
    return { workflowId: handle.workflowId, type: description.type, state: description.status.name, status };
  }
}
