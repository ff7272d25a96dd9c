/**
 * The codec server protocol's body: `{"payloads": [...]}`, each payload in proto3 JSON form (bytes as base64,
 * standard or URL-safe). Validated with zod, converted by the generated protobuf code so every Payload field
 * survives the round trip.
 */
import type { Payload } from '@temporalio/common';
// Default import: the package is CommonJS and Node's ESM loader cannot see its named exports.
import proto from '@temporalio/proto';
import { z } from 'zod';

const ProtoPayload = proto.temporal.api.common.v1.Payload;
const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const PayloadsJson = z.object({
  payloads: z.array(
    z.looseObject({
      metadata: z.record(z.string(), Base64).nullish(),
      data: Base64.nullish(),
    }),
  ),
});
export type PayloadsJson = z.infer<typeof PayloadsJson>;

/** A request body that is not what the protocol expects. Messages never quote the body. */
export class BadBody extends Error {
  override name = 'BadBody';
}

/** Throws BadBody naming the position of a payload that is not a Payload. */
export function payloadsFromJson(body: PayloadsJson): Payload[] {
  return body.payloads.map((payload, index) => {
    try {
      return ProtoPayload.fromObject(payload);
    } catch {
      throw new BadBody(`payload ${index + 1} is not a Payload in proto3 JSON form`);
    }
  });
}

export function payloadsToJson(payloads: Payload[]): { payloads: Record<string, unknown>[] } {
  return { payloads: payloads.map((payload) => ProtoPayload.create(payload).toJSON()) };
}
