/**
 * Everything a workflow left in Temporal, as text: the raw event history fetched from the server with every
 * payload also decoded through the worker's codec (so a secret hidden by encryption would still be found).
 */
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
