/**
 * Everything a workflow left in Temporal, as text: the raw event history fetched from the server with every
 * payload also decoded through the worker's codec (so a secret hidden by encryption would still be found).
 */
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import type { DataConverter, Payload } from '@temporalio/common';

function collectPayloads(value: unknown, into: Payload[]): void {
  if (!value || typeof value !== 'object') return;
  if ('data' in value && 'metadata' in value && (value as Payload).data instanceof Uint8Array) {
    into.push(value as Payload);
    return;
  }
  for (const child of Object.values(value)) collectPayloads(child, into);
}

export async function historyText(handle: WorkflowHandle, dataConverter: DataConverter) {
  const history = await handle.fetchHistory();
  const raw = JSON.stringify(history, (_key, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
  );
  const payloads: Payload[] = [];
  collectPayloads(history, payloads);
  let decoded = payloads;
  for (const codec of [...(dataConverter.payloadCodecs ?? [])].reverse())
    decoded = await codec.decode(decoded);
  const plain = decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
  return { raw, plain, events: history.events?.length ?? 0, bytes: raw.length };
}

/** None of `needles` (secrets, tokens) is in the history of any of `handles`, raw or decoded. */
export async function assertNoneInHistories(
  handles: readonly WorkflowHandle[],
  needles: readonly string[],
  dataConverter: DataConverter,
): Promise<void> {
  for (const handle of handles) {
    const { raw, plain } = await historyText(handle, dataConverter);
    for (const needle of needles) {
      assert.equal(raw.includes(needle), false, `history of ${handle.workflowId} holds a secret`);
      assert.equal(plain.includes(needle), false, `decoded history of ${handle.workflowId} holds a secret`);
    }
  }
}

/** The message of a failure as stored in history: its common attributes are encoded, so decode them. */
export async function failureMessage(
  failure: { message?: string | null; encodedAttributes?: Payload | null },
  dataConverter: DataConverter,
): Promise<string> {
  if (!failure.encodedAttributes) return failure.message ?? '';
  let decoded = [failure.encodedAttributes];
  for (const codec of [...(dataConverter.payloadCodecs ?? [])].reverse())
    decoded = await codec.decode(decoded);
  const attributes = JSON.parse(Buffer.from(decoded[0]!.data ?? new Uint8Array()).toString('utf8')) as {
    message: string;
  };
  return attributes.message;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/**
 * The activity type of each step an event records, by event index: an activity's scheduling, or the marker
 * of a finished local activity (its `data` detail is core's JSON, not encrypted).
 */
export function stepOf(event: HistoryEvent): string | undefined {
  const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
  if (scheduled) return scheduled;
  const data = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type;
}

/**
 * What a failure in a history says, its encoded attributes (message, stack) decoded through the worker's
 * codec: a failure the codec encoded reads only "Encoded failure" otherwise.
 */
export async function failureText(
  failure: { message?: string | null; encodedAttributes?: Payload | null } | null | undefined,
  dataConverter: DataConverter,
): Promise<string> {
  if (!failure?.encodedAttributes) return failure?.message ?? '';
  let decoded: Payload[] = [failure.encodedAttributes];
  for (const codec of [...(dataConverter.payloadCodecs ?? [])].reverse())
    decoded = await codec.decode(decoded);
  const { message, stack_trace } = JSON.parse(
    Buffer.from(decoded[0]?.data ?? new Uint8Array()).toString('utf8'),
  ) as { message?: string; stack_trace?: string };
  return `${message ?? ''}\n${(stack_trace ?? '').split('\n').slice(0, 6).join('\n')}`;
}
