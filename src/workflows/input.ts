/**
 * Every workflow starts by checking its input against the zod contract: bad input fails the workflow
 * (`InvalidInput`, naming each field) before any IdP call. The check runs in the worker as a local activity
 * (activities/input.ts), so the workflow bundle carries no zod.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { InputCheck } from '../activities/input.js';
import type { WorkflowInput, WorkflowType } from '../model/workflow-inputs.js';
import { hasLocalSteps, quickSteps } from './activity-proxies.js';

async function check(workflowType: WorkflowType, input: unknown, withDefaults: boolean): Promise<InputCheck> {
  const answer = await quickSteps().checkWorkflowInput.executeWithOptions(
    { summary: `Check the ${workflowType} input against the contract` },
    [{ workflowType, input, withDefaults }],
  );
  if (answer.problems !== undefined) {
    throw ApplicationFailure.nonRetryable(`Invalid input: ${answer.problems}`, 'InvalidInput');
  }
  return answer;
}

/** `input`, once the contract of `workflowType` accepts it; throws InvalidInput otherwise. */
export async function checkedInput<T>(workflowType: WorkflowType, input: T): Promise<T> {
  // A run begun before the check moved out of the sandbox checked its input there, at its start.
  if (hasLocalSteps()) await check(workflowType, input, false);
  return input;
}

/**
 * The input as the contract of `workflowType` reads it, its defaults filled in (the desired-state workflows:
 * a manifest's defaults are the contract's). The answer is recorded in history, so it holds a copy of the
 * input: for workflows that run once per apply or bank, not per onboarding.
 */
export async function parsedInput<K extends WorkflowType>(
  workflowType: K,
  input: unknown,
): Promise<WorkflowInput<K>> {
  return (await check(workflowType, input, true)).parsed as WorkflowInput<K>;
}
