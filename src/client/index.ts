/**
 * The typed client for onboarding systems (and the CLI): validates input at the edge with the contract's
 * zod schemas, starts each per-bank operation under the bank's one workflow id (so operations on a bank
 * never interleave), waits for results and reads status.
 */
import {
  Client,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Connection,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  bankWorkflowId,
  DEFAULT_GRACE_PERIOD,
  DisableUsersInput,
  disableUsersWorkflowId,
  RequestId,
  Duration,
  OffboardBankInput,
  OnboardBankInput,
  RevokeBankCredentialsInput,
  RotateBankCredentialsInput,
  type OperationStatus,
} from '../model/contract.js';
import { describeFailure } from '../model/workflow-safe/failure.js';
import { rotationScheduleId, scheduledRotationWorkflowId } from '../model/workflow-safe/operations.js';
import { largestDisableResult, largestOnboardResult, payloadSizeProblem } from './payload-size.js';
import { describeSchedule, digestOf, putSchedule } from './schedules.js';
import { parseOrThrow } from '../model/validation.js';
import { operationSearchAttributes } from '../model/workflow-safe/search-attributes.js';
import { completeRotationUpdate, statusQuery } from '../model/workflow-safe/messages.js';
import { operationIdOf } from '../model/workflow-safe/webhook-events.js';
import type {
  disableUsers,
  offboardBank,
  onboardBank,
  revokeBankCredentials,
  rotateBankCredentials,
} from '../workflows/index.js';

export { rotationScheduleId } from '../model/workflow-safe/operations.js';

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** completeRotation was refused: the bank's rotation is not waiting for its grace period. */
export class RotationNotWaitingError extends Error {
  override name = 'RotationNotWaitingError';
}

/** The operation holding a bank, as BankBusyError names it. */
export interface RunningOperation {
  operationId: string;
  operation: string;
  workflowId: string;
  runId: string;
  startedAt: string;
}

export interface StartOptions {
  /** Noted on the workflow (encrypted like any payload), e.g. the HTTP request that started it. */
  memo?: Record<string, string>;
}

/** Another operation on the same bank is still running: operations on a bank never interleave. */
export class BankBusyError extends Error {
  override name = 'BankBusyError';
  constructor(
    message: string,
    readonly running?: RunningOperation,
  ) {
    super(message);
  }
}

/** A request id given again with a different request. */
export class RequestIdReusedError extends Error {
  override name = 'RequestIdReusedError';
}

/** The per-bank operations: each runs under the bank's one workflow id. */
interface BankWorkflows {
  onboardBank: typeof onboardBank;
  rotateBankCredentials: typeof rotateBankCredentials;
  revokeBankCredentials: typeof revokeBankCredentials;
  offboardBank: typeof offboardBank;
}

/** A per-bank operation's input schema, and the static summary operators see for a valid input. */
interface BankOperation<S extends z.ZodType<{ bankGuid: string }>> {
  input: S;
  summary(valid: z.infer<S>): string;
}

const BANK_OPERATIONS: {
  [T in keyof BankWorkflows]: BankOperation<z.ZodType<Parameters<BankWorkflows[T]>[0]>>;
} = {
  onboardBank: {
    input: OnboardBankInput,
    summary: ({ bankGuid, users = [] }) =>
      `Onboard bank ${bankGuid}: application${users.length ? ` and ${users.length} user${users.length === 1 ? '' : 's'}` : ''}`,
  },
  rotateBankCredentials: {
    input: RotateBankCredentialsInput,
    summary: ({ bankGuid, gracePeriod = DEFAULT_GRACE_PERIOD }) =>
      `Rotate the credentials of bank ${bankGuid} (grace ${gracePeriod})`,
  },
  revokeBankCredentials: {
    input: RevokeBankCredentialsInput,
    summary: ({ bankGuid, clientIds, reason }) =>
      `Revoke ${clientIds ? clientIds.length : 'all'} credentials of bank ${bankGuid}: ${reason}`,
  },
  offboardBank: {
    input: OffboardBankInput,
    summary: ({ bankGuid, reason }) => `Offboard bank ${bankGuid}: ${reason}`,
  },
};

export interface ProvisionerClientOptions {
  connection: Connection;
  namespace: string;
  taskQueue: string;
  dataConverter?: DataConverter;
}

/** Validates input at the edge: InvalidInputError naming each bad field. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  return parseOrThrow(schema, input, (problems) => new InvalidInputError(`Invalid input: ${problems}`));
}

/** Validates a caller's request id at the edge: InvalidInputError naming `requestId`. */
export function validRequestId(requestId: string | undefined): string | undefined {
  return validate(z.object({ requestId: RequestId.optional() }), { requestId }).requestId;
}

/** How long `status` waits for a worker to answer the status query before it answers without it. */
export const STATUS_QUERY_TIMEOUT_MS = 5_000;

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

  /**
   * Validates `input` at the edge, then starts the operation under the bank's one workflow id. Rejects with
   * InvalidInputError naming each bad field, or BankBusyError while another operation runs for the bank.
   */
  async startBankOperation<T extends keyof BankWorkflows>(
    workflowType: T,
    input: Parameters<BankWorkflows[T]>[0],
    options: StartOptions = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId<BankWorkflows[T]>> {
    const operation: BankOperation<z.ZodType<{ bankGuid: string }>> = BANK_OPERATIONS[workflowType];
    const valid = validate(operation.input, input);
    const workflowId = bankWorkflowId(valid.bankGuid);
    try {
      const handle = await this.client.workflow.start(workflowType, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [valid],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: operationSearchAttributes(workflowType, valid.bankGuid),
        staticSummary: operation.summary(valid),
        memo: options.memo,
      });
      return handle as WorkflowHandleWithFirstExecutionRunId<BankWorkflows[T]>;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const running = await this.client.workflow.getHandle(workflowId).describe();
      throw new BankBusyError(
        `Bank ${valid.bankGuid} already has an operation in progress: ${running.type} (workflow ${workflowId}, run ${running.runId}, started ${running.startTime.toISOString()}); wait for it to finish or cancel it first`,
        {
          operationId: operationIdOf(workflowId, running.runId),
          operation: running.type,
          workflowId,
          runId: running.runId,
          startedAt: running.startTime.toISOString(),
        },
      );
    }
  }

  /** InvalidInputError when the input, or the largest result it can produce, cannot fit in a payload. */
  private async assertFits(field: string, input: unknown, largestResult?: unknown): Promise<void> {
    const problem = await payloadSizeProblem(
      this.client.options.loadedDataConverter,
      field,
      input,
      largestResult,
    );
    if (problem) throw new InvalidInputError(`Invalid input: ${problem}`);
  }

  async startOnboarding(input: OnboardBankInput, options?: StartOptions) {
    const valid = validate(OnboardBankInput, input);
    await this.assertFits('users', valid, largestOnboardResult(valid));
    return this.startBankOperation('onboardBank', valid, options);
  }

  startRotation(input: RotateBankCredentialsInput, options?: StartOptions) {
    return this.startBankOperation('rotateBankCredentials', input, options);
  }

  startRevocation(input: RevokeBankCredentialsInput, options?: StartOptions) {
    return this.startBankOperation('revokeBankCredentials', input, options);
  }

  startOffboarding(input: OffboardBankInput, options?: StartOptions) {
    return this.startBankOperation('offboardBank', input, options);
  }

  /**
   * Disabling users is not a per-bank operation: each request gets its own workflow, named after the
   * caller's `requestId` (a fresh one when absent). Starting the same request again returns the workflow
   * the first start began, running or finished, so a caller may retry a start whose answer was lost; the
   * same request id with a different request is refused (RequestIdReusedError).
   */
  async startDisablingUsers(
    input: DisableUsersInput,
    options: { requestId?: string } = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof disableUsers>> {
    const valid = validate(DisableUsersInput, input);
    const workflowId = disableUsersWorkflowId(validRequestId(options.requestId) ?? randomUUID());
    await this.assertFits('users', valid, largestDisableResult(valid));
    const requestDigest = digestOf(valid);
    let handle: WorkflowHandleWithFirstExecutionRunId<typeof disableUsers>;
    try {
      handle = await this.client.workflow.start<typeof disableUsers>('disableUsers', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [valid],
        // Running: the start returns it. Finished: the start is refused and the finished one is returned.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { requestDigest },
        typedSearchAttributes: operationSearchAttributes('disableUsers', valid.bankGuid),
        staticSummary: `Disable ${valid.users.length} users: ${valid.reason}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const { runId } = await this.client.workflow.getHandle(workflowId).describe();
      const existing = this.client.workflow.getHandle<typeof disableUsers>(workflowId, undefined, {
        firstExecutionRunId: runId,
      });
      handle = { ...existing, firstExecutionRunId: runId };
    }
    if (options.requestId !== undefined) {
      const { memo } = await handle.describe();
      if (memo?.requestDigest !== requestDigest) {
        throw new RequestIdReusedError(
          `Request id ${options.requestId} was already used for a different disableUsers request (workflow ${workflowId}); use a new request id`,
        );
      }
    }
    return handle;
  }

  /** The operator's go-ahead to finish a rotation before its grace period ends. */
  async completeRotation(bankGuid: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(bankWorkflowId(bankGuid)).executeUpdate(completeRotationUpdate);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new RotationNotWaitingError(`Bank ${bankGuid}: ${describeFailure(err)}`);
      }
      throw err;
    }
  }

  /** Creates or updates the bank's rotation Schedule (overlapping runs are skipped). */
  async scheduleRotation(
    bankGuid: string,
    every: string,
    gracePeriod?: string,
  ): Promise<{ scheduleId: string; created: boolean }> {
    const valid = validate(RotateBankCredentialsInput, { bankGuid, gracePeriod });
    const everyValid = validate(Duration, every);
    const scheduleId = rotationScheduleId(bankGuid);
    const { created } = await putSchedule(this.client, {
      scheduleId,
      spec: { intervals: [{ every: everyValid }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'scheduledRotation',
        workflowId: scheduledRotationWorkflowId(bankGuid),
        taskQueue: this.taskQueue,
        args: [valid],
        typedSearchAttributes: operationSearchAttributes('scheduledRotation', bankGuid),
        staticSummary: `Scheduled rotation of bank ${bankGuid}`,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      memo: { bankGuid },
    });
    return { scheduleId, created };
  }

  /** The rotation schedule of the bank, if there is one. */
  async rotationSchedule(
    bankGuid: string,
  ): Promise<{ scheduleId: string; paused: boolean; nextRunAt?: string } | undefined> {
    const description = await describeSchedule(this.client, rotationScheduleId(bankGuid));
    return (
      description && {
        scheduleId: description.scheduleId,
        paused: description.state.paused,
        nextRunAt: description.info.nextActionTimes[0]?.toISOString(),
      }
    );
  }

  /** The `status` query of the bank's latest operation (running or finished). */
  async status(
    bankGuid: string,
  ): Promise<{ workflowId: string; type: string; state: string; status?: OperationStatus }> {
    const handle = this.client.workflow.getHandle(bankWorkflowId(bankGuid));
    const description = await handle.describe();
    let status: OperationStatus | undefined;
    try {
      // A query waits for a worker to answer it; with none polling it would hang until the server gives up.
      status = await this.client.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
        handle.query(statusQuery),
      );
    } catch {
      status = undefined; // e.g. no worker is polling right now; the description still tells the state
    }
    return { workflowId: handle.workflowId, type: description.type, state: description.status.name, status };
  }
}
