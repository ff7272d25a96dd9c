/**
 * The typed client for onboarding systems (and the CLI): validates input at the edge with the contract's
 * zod schemas, starts each per-bank operation under the bank's one workflow id (so operations on a bank
 * never interleave), waits for results and reads status.
 */
import {
  Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Connection,
  type Workflow,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  bankWorkflowId,
  describeIssues,
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
import { describeFailure } from './failure.js';
import { largestDisableResult, largestOnboardResult, payloadSizeProblem } from './payload-size.js';
import { operationSearchAttributes } from '../model/search-attributes.js';
import { completeRotationUpdate, statusQuery } from '../model/messages.js';
import type {
  disableUsers,
  offboardBank,
  onboardBank,
  revokeBankCredentials,
  rotateBankCredentials,
} from '../workflows/index.js';

export const rotationScheduleId = (bankGuid: string) => `rotate-${bankGuid}`;

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** completeRotation was refused: the bank's rotation is not waiting for its grace period. */
export class RotationNotWaitingError extends Error {
  override name = 'RotationNotWaitingError';
}

/** Another operation on the same bank is still running (design decision 5). */
export class BankBusyError extends Error {
  override name = 'BankBusyError';
}

/** A request id given again with a different request. */
export class RequestIdReusedError extends Error {
  override name = 'RequestIdReusedError';
}

export interface ProvisionerClientOptions {
  connection: Connection;
  namespace: string;
  taskQueue: string;
  dataConverter?: DataConverter;
}

/** Validates input at the edge: InvalidInputError naming each bad field. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(`Invalid input: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Validates a caller's request id at the edge: InvalidInputError naming `requestId`. */
export function validRequestId(requestId: string | undefined): string | undefined {
  return validate(z.object({ requestId: RequestId.optional() }), { requestId }).requestId;
}

/** Identifies a request's content, to tell a retried start from a request id used for something else. */
const digestOf = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex');

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
        typedSearchAttributes: operationSearchAttributes(workflowType, bankGuid),
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

  async startOnboarding(input: OnboardBankInput) {
    const valid = validate(OnboardBankInput, input);
    await this.assertFits('users', valid, largestOnboardResult(valid));
    const users = valid.users?.length ?? 0;
    return this.startBankOperation<typeof onboardBank>(
      'onboardBank',
      valid.bankGuid,
      valid,
      `Onboard bank ${valid.bankGuid}: application${users ? ` and ${users} user${users === 1 ? '' : 's'}` : ''}`,
    );
  }

  async startRotation(input: RotateBankCredentialsInput) {
    const valid = validate(RotateBankCredentialsInput, input);
    return this.startBankOperation<typeof rotateBankCredentials>(
      'rotateBankCredentials',
      valid.bankGuid,
      valid,
      `Rotate the credentials of bank ${valid.bankGuid} (grace ${valid.gracePeriod ?? '24h'})`,
    );
  }

  async startRevocation(input: RevokeBankCredentialsInput) {
    const valid = validate(RevokeBankCredentialsInput, input);
    return this.startBankOperation<typeof revokeBankCredentials>(
      'revokeBankCredentials',
      valid.bankGuid,
      valid,
      `Revoke ${valid.clientIds ? valid.clientIds.length : 'all'} credentials of bank ${valid.bankGuid}: ${valid.reason}`,
    );
  }

  async startOffboarding(input: OffboardBankInput) {
    const valid = validate(OffboardBankInput, input);
    return this.startBankOperation<typeof offboardBank>(
      'offboardBank',
      valid.bankGuid,
      valid,
      `Offboard bank ${valid.bankGuid}: ${valid.reason}`,
    );
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
    const action = {
      type: 'startWorkflow' as const,
      workflowType: 'scheduledRotation',
      workflowId: `scheduled-rotation-${bankGuid}`,
      taskQueue: this.taskQueue,
      args: [valid],
      typedSearchAttributes: operationSearchAttributes('scheduledRotation', bankGuid),
      staticSummary: `Scheduled rotation of bank ${bankGuid}`,
    };
    const spec = { intervals: [{ every: everyValid }] };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP };
    try {
      await this.client.schedule.create({ scheduleId, spec, action, policies, memo: { bankGuid } });
      return { scheduleId, created: true };
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await this.client.schedule
        .getHandle(scheduleId)
        .update((previous) => ({ ...previous, spec, action, policies }));
      return { scheduleId, created: false };
    }
  }

  /** The rotation schedule of the bank, if there is one. */
  async rotationSchedule(
    bankGuid: string,
  ): Promise<{ scheduleId: string; paused: boolean; nextRunAt?: string } | undefined> {
    try {
      const description = await this.client.schedule.getHandle(rotationScheduleId(bankGuid)).describe();
      return {
        scheduleId: description.scheduleId,
        paused: description.state.paused,
        nextRunAt: description.info.nextActionTimes[0]?.toISOString(),
      };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    }
  }

  /** The `status` query of the bank's latest operation (running or finished). */
  async status(
    bankGuid: string,
  ): Promise<{ workflowId: string; type: string; state: string; status?: OperationStatus }> {
    const handle = this.client.workflow.getHandle(bankWorkflowId(bankGuid));
    const description = await handle.describe();
    let status: OperationStatus | undefined;
    try {
      status = await handle.query(statusQuery);
    } catch {
      status = undefined; // e.g. no worker is polling right now; the description still tells the state
    }
    return { workflowId: handle.workflowId, type: description.type, state: description.status.name, status };
  }
}
