/** What a failed workflow means to a person: the innermost cause (an activity's ApplicationFailure) with its type. */
import { ApplicationFailure } from '@temporalio/common';
import { rootCause } from './failure-summary.js';

export { rootCause } from './failure-summary.js';

/** "IdpScopeDropped: ..." for the deepest cause, e.g. of a WorkflowFailedError. */
export function describeFailure(err: unknown): string {
  const root = rootCause(err);
  if (!root) return String(err);
  const type = root instanceof ApplicationFailure && root.type ? `${root.type}: ` : '';
  return `${type}${root.message}`;
}
