/**
 * Checking a workflow's input against its zod contract when the workflow starts. It runs as a local activity,
 * outside the workflow sandbox: zod there would be instantiated again by every workflow run and kept in
 * every cached workflow (a third of the workflow thread's CPU and most of its memory per workflow).
 */
import { WORKFLOW_INPUTS, type WorkflowType } from '../model/contract.js';
import { describeIssues } from '../model/validation.js';

export interface InputCheck {
  /** Each problem as `field: message` (never the value), when the input breaks the contract. */
  problems?: string;
}

export function inputActivities() {
  /** Deterministic and free of I/O: replaying the same input gives the same answer. */
  function checkWorkflowInput(check: { workflowType: WorkflowType; input: unknown }): Promise<InputCheck> {
    const parsed = WORKFLOW_INPUTS[check.workflowType].safeParse(check.input);
    return Promise.resolve(parsed.success ? {} : { problems: describeIssues(parsed.error) });
  }
  return { checkWorkflowInput };
}
