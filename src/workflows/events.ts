/**
 * Emitting webhook events from workflow code. `emitEvent` starts the event's own delivery workflow and
 * returns as soon as it has started (the child is abandoned: it outlives the emitter), so any workflow can
 * tell receivers something without waiting for them. An event nobody subscribes to starts nothing: a local
 * activity asks first, so operations cost no second workflow where webhooks are not used. `reportingCompletion` wraps an operation so that it
 * emits its completed or failed event as it ends.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  patched,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { failureSummary } from '../model/workflow-safe/failure.js';
import { GUID_PATTERN, webhookDeliveryWorkflowId } from '../model/workflow-safe/operations.js';
import { operationSearchAttributes } from '../model/workflow-safe/search-attributes.js';
import {
  OPERATION_EVENTS,
  operationIdOf,
  type EventfulOperation,
  type TaskOperation,
  type WebhookEventType,
} from '../model/workflow-safe/webhook-events.js';
import { patchedAtStart, quickSteps } from './activity-proxies.js';
import { deliverWebhookEvent } from './deliver-webhook-event.js';

/**
 * Runs that started before events existed replay without them (their histories have no delivery child);
 * runs that reach this code afterwards emit.
 */
const EVENTS_PATCH = 'webhook-events';

/** Starts the delivery of one event; `bankGuid` tags the delivery workflow for operators. */
export async function emitEvent(
  type: WebhookEventType,
  data: Record<string, unknown>,
  bankGuid?: string,
): Promise<void> {
  if (!patched(EVENTS_PATCH)) return;
  // Even a cancelled operation tells its receivers that it ended.
  await CancellationScope.nonCancellable(async () => {
    const subscribers = await quickSteps().webhookSubscriptionsFor.executeWithOptions(
      { summary: `Who subscribes to ${type}` },
      [{ type }],
    );
    if (subscribers.length === 0) return;
    const id = `evt_${uuid4()}`;
    await startChild(deliverWebhookEvent, {
      workflowId: webhookDeliveryWorkflowId(id),
      args: [{ id, type, timestamp: new Date().toISOString(), data }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: operationSearchAttributes('deliverWebhookEvent', bankGuid),
      staticSummary: `Deliver ${type}${bankGuid ? ` of bank ${bankGuid}` : ''}`,
    });
  });
}

/** Who the event is about: the operation's public id (as the HTTP API names it), its workflow and bank. */
export function operationReference(operation: TaskOperation, bankGuid: string | undefined) {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  return {
    operationId: operationIdOf(workflowId, firstExecutionRunId),
    operation,
    workflowId,
    runId: firstExecutionRunId,
    ...(bankGuid ? { bankGuid } : {}),
  };
}

/**
 * Runs `operation` and emits its completed event (with the result, which holds secret references only) or
 * its failed event (with the failure), then returns or rethrows as it would have.
 */
export async function reportingCompletion<R>(
  operation: EventfulOperation,
  rawInput: unknown,
  body: () => Promise<R>,
): Promise<R> {
  const claimed = (rawInput as { bankGuid?: unknown } | undefined)?.bankGuid;
  const bankGuid = typeof claimed === 'string' && GUID_PATTERN.test(claimed) ? claimed : undefined;
  const events = OPERATION_EVENTS[operation];
  // Asked at the start too: a failure event right after the input check (a local activity) would otherwise
  // ask it first there (see patchedAtStart). Runs whose marker sits later find it there (emitEvent asks again).
  patchedAtStart(EVENTS_PATCH);
  let result: R;
  try {
    result = await body();
  } catch (err) {
    await emitEvent(
      events.failed,
      { ...operationReference(operation, bankGuid), failure: failureSummary(err) },
      bankGuid,
    );
    throw err;
  }
  await emitEvent(events.completed, { ...operationReference(operation, bankGuid), result }, bankGuid);
  return result;
}
