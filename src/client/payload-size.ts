/**
 * Refusing, before the start, a workflow whose input or result cannot fit in one Temporal payload. Temporal
 * refuses payloads over its blob size limit (2 MiB by default, `limit.blobSize.error`, and on Temporal
 * Cloud); unchecked, a large onboarding would fail at start with the server's raw "Blob data size exceeds
 * limit", or worse, run to the end and then be unable to record its result.
 *
 * Sizes are measured, not guessed: the value goes through the client's own payload converter and codecs
 * (JSON, compression, encryption), as the start request and the worker will. The result is measured on
 * its largest form for this input (every user created, with a guid and an invite reference), built from
 * the contract's own types.
 */
import type { LoadedDataConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import type {
  DisableUsersInput,
  DisableUsersResult,
  OnboardBankInput,
  OnboardBankResult,
} from '../model/contract.js';
import { inviteUrlSecretName } from '../model/secret-names.js';
import { bankWorkflowId, disableUsersWorkflowId } from '../model/workflow-safe/operations.js';
import { MAX_COMPLETER_LENGTH } from '../model/workflow-safe/tasks.js';

/** Temporal's default limit on one payload. */
export const PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;
/**
 * What a measured result may use of the limit: room for what the estimate cannot know exactly (the
 * application's client id and name, the secret store's reference prefix).
 */
const RESULT_BUDGET_BYTES = PAYLOAD_LIMIT_BYTES - 16 * 1024;

const ProtoPayloads = proto.temporal.api.common.v1.Payloads;

/** Bytes `value` takes in a request once converted and encoded by `converter`. */
export async function encodedSize(converter: LoadedDataConverter, value: unknown): Promise<number> {
  let payloads = [converter.payloadConverter.toPayload(value)];
  for (const codec of converter.payloadCodecs) payloads = await codec.encode(payloads);
  return ProtoPayloads.encode({ payloads }).finish().length;
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
const LIMIT = `Temporal's payload limit of ${megabytes(PAYLOAD_LIMIT_BYTES)} (${PAYLOAD_LIMIT_BYTES} bytes)`;

/**
 * Why `input` (and the largest result it can produce) would not fit, naming the limit; undefined when both
 * fit. `field` names the part of the input that makes it large.
 */
export async function payloadSizeProblem(
  converter: LoadedDataConverter,
  field: string,
  input: unknown,
  largestResult?: unknown,
): Promise<string | undefined> {
  const inputBytes = await encodedSize(converter, input);
  if (inputBytes > PAYLOAD_LIMIT_BYTES)
    return `${field}: the input is ${megabytes(inputBytes)} once encoded, over ${LIMIT}; split it over several requests`;
  if (largestResult === undefined) return undefined;
  const resultBytes = await encodedSize(converter, largestResult);
  if (resultBytes > RESULT_BUDGET_BYTES)
    return `${field}: the result would take up to ${megabytes(resultBytes)} once encoded, over ${LIMIT}; split it over several requests`;
  return undefined;
}

const someGuid = () => randomBytes(16).toString('hex');

/** The onboarding's result when every user is created: the largest it can be. */
export function largestOnboardResult(input: OnboardBankInput): OnboardBankResult {
  return {
    bankGuid: input.bankGuid,
    // The application's fields are not known before the run: their largest plausible values.
    application: {
      clientId: someGuid() + someGuid(),
      name: 'n'.repeat(128),
      secretRef: `local:banks/${input.bankGuid}/client-secret`,
    },
    users: (input.users ?? []).map(({ email }) => {
      const guid = someGuid();
      return { email, guid, created: true, inviteRef: `local:${inviteUrlSecretName(guid)}` };
    }),
    verified: true,
    // A person may make the writes: the tasks completed and who did them.
    tasks: (['create-bank-api-key', 'invite-users'] as const).map((kind, i) => ({
      taskId: `${bankWorkflowId(input.bankGuid)}~${someGuid()}~${i + 1}`,
      kind,
      by: 'b'.repeat(MAX_COMPLETER_LENGTH),
      at: new Date(0).toISOString(),
      evidence: 'verified' as const,
    })),
  };
}

/** The result when every user named is disabled, by a person who confirmed it. */
export function largestDisableResult(input: DisableUsersInput): DisableUsersResult {
  return {
    disabled: input.users.map((user) => ({ user, guid: someGuid() })),
    notFound: [],
    tasks: [
      {
        taskId: `${disableUsersWorkflowId(someGuid())}~${someGuid()}~1`,
        kind: 'disable-users',
        by: 'b'.repeat(MAX_COMPLETER_LENGTH),
        at: new Date(0).toISOString(),
        evidence: 'confirmed',
      },
    ],
  };
}
