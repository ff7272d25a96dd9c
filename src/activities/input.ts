/**
 * Checking a workflow's input against its zod contract when the workflow starts. It runs as a local activity,
 * outside the workflow sandbox: zod there would be instantiated again by every workflow run and kept in
 * every cached workflow (a third of the workflow thread's CPU and most of its memory per workflow).
 */
import { WORKFLOW_INPUTS, type WorkflowType } from '../model/workflow-inputs.js';
import { describeIssues } from '../model/validation.js';

export interface InputCheck {
  /** Each problem as `field: message` (never the value), when the input breaks the contract. */
  problems?: string;
  /** The input as the contract reads it (its defaults filled in), when asked for with `withDefaults`. */
  parsed?: unknown;
}

export function inputActivities() {
  /** Deterministic and free of I/O: replaying the same input gives the same answer. */
  function checkWorkflowInput(check: {
    workflowType: WorkflowType;
    input: unknown;
    withDefaults?: boolean;
  }): Promise<InputCheck> {
    const parsed = WORKFLOW_INPUTS[check.workflowType].safeParse(check.input);
    if (!parsed.success) return Promise.resolve({ problems: describeIssues(parsed.error) });
    return Promise.resolve(check.withDefaults ? { parsed: parsed.data } : {});
  }
  return { checkWorkflowInput };
}
