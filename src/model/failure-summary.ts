/**
 * A failure as people read it: the innermost cause (an activity's ApplicationFailure, a cancellation) with its
 * type. Workflow-safe: the workflows put it in failure events, the API in an operation's view.
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';

export function rootCause(err: unknown): Error | undefined {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current : undefined;
}

export function failureSummary(err: unknown): { type: string; message: string } {
  const root = rootCause(err);
  if (root instanceof CancelledFailure) return { type: 'Cancelled', message: root.message || 'cancelled' };
  if (root instanceof TerminatedFailure) return { type: 'Terminated', message: root.message || 'terminated' };
  if (root instanceof ApplicationFailure) return { type: root.type ?? 'Error', message: root.message };
  return { type: root?.name ?? 'Error', message: root?.message ?? String(err) };
}
