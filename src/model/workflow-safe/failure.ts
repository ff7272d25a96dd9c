/**
 * A failure as people read it, the one formatter of the CLI, the client, the HTTP API and webhooks: the
 * innermost cause (an activity's ApplicationFailure, a cancellation, a termination) with its type.
 * Workflow-safe: workflows put it in failure events and apply results.
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';

export function rootCause(err: unknown): Error | undefined {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current : undefined;
}

/** `{type, message}` of the deepest cause, e.g. of a WorkflowFailedError. */
export function failureSummary(err: unknown): { type: string; message: string } {
  const root = rootCause(err);
  if (root instanceof CancelledFailure) return { type: 'Cancelled', message: root.message || 'cancelled' };
  if (root instanceof TerminatedFailure) return { type: 'Terminated', message: root.message || 'terminated' };
  if (root instanceof ApplicationFailure) return { type: root.type ?? 'Error', message: root.message };
  return { type: root?.name ?? 'Error', message: root?.message ?? String(err) };
}

/** The same on one line, "IdpScopeDropped: ...": a cause with no type of its own is its message alone. */
export function describeFailure(err: unknown): string {
  const { type, message } = failureSummary(err);
  return type === 'Error' ? message : `${type}: ${message}`;
}
