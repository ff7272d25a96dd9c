/**
 * Every workflow starts by checking its input against the zod contract: bad input fails the workflow
 * (`InvalidInput`, naming each field) before any IdP call. The check runs in the worker as a local activity
 * (activities/input.ts), so the workflow bundle carries no zod.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { WorkflowType } from '../model/contract.js';
import { hasLocalSteps, steps } from './activities.js';

/** `input`, once the contract of `workflowType` accepts it; throws InvalidInput otherwise. */
export async function checkedInput<T>(workflowType: WorkflowType, input: T): Promise<T> {
  // A run begun before the check moved out of the sandbox checked its input there, at its start.
  if (!hasLocalSteps()) return input;
  const { problems } = await steps().checkWorkflowInput.executeWithOptions(
    { summary: `Check the ${workflowType} input against the contract` },
    [{ workflowType, input }],
  );
  if (problems !== undefined) {
    throw ApplicationFailure.nonRetryable(`Invalid input: ${problems}`, 'InvalidInput');
  }
  return input;
}
