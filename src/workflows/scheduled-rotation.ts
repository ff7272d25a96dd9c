/**
 * scheduledRotation: what a rotation Schedule starts. Schedules add a timestamp to the workflow id, so the
 * rotation itself runs as a child under the bank's one workflow id: when another operation on the bank is
 * running, the child cannot start and this run ends as skipped: one operation per bank at a time.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { RotateBankCredentialsInput, RotateBankCredentialsResult } from '../model/contract.js';
import { bankWorkflowId } from '../model/workflow-safe/operations.js';
import { operationSearchAttributes } from '../model/workflow-safe/search-attributes.js';
import { checkedInput } from './input.js';
import { rotateBankCredentials } from './rotate-bank-credentials.js';

export type ScheduledRotationResult =
  { outcome: 'rotated'; rotation: RotateBankCredentialsResult } | { outcome: 'skipped'; reason: string };

export async function scheduledRotation(
  rawInput: RotateBankCredentialsInput,
): Promise<ScheduledRotationResult> {
  const input = await checkedInput('scheduledRotation', rawInput);
  try {
    const child = await startChild(rotateBankCredentials, {
      workflowId: bankWorkflowId(input.bankGuid),
      args: [input],
      typedSearchAttributes: operationSearchAttributes('rotateBankCredentials', input.bankGuid),
      staticSummary: `Scheduled rotation of bank ${input.bankGuid}`,
      // Cancelling or terminating the schedule's run asks the rotation to roll back cleanly.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    return { outcome: 'rotated', rotation: await child.result() };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { outcome: 'skipped', reason: `another operation on bank ${input.bankGuid} is in progress` };
    }
    throw err;
  }
}
