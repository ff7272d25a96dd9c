/**
 * Errors as RFC 9457 problem documents (`application/problem+json`): one stable `type` per kind of error,
 * each documented on the reference page (the type is the link to its section there). Errors of the rest of
 * the program (the typed client's, Temporal's, Fastify's) become problems in one place: `toProblem`.
 */
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { FastifyError } from 'fastify';
import { z } from 'zod';
import {
  BankBusyError,
  InvalidInputError,
  RequestIdReusedError,
  RotationNotWaitingError,
} from '../client/index.js';
import { NoOpenTaskError } from '../client/tasks.js';

export const PROBLEM_TYPES = {
  'invalid-input': {
    status: 400,
    title: 'The request is invalid',
    about: 'A parameter, header or body field breaks a rule; `errors` names each one.',
  },
  'malformed-request': {
    status: 400,
    title: 'The request is malformed',
    about: 'The body is not valid JSON, or the URL is not valid percent-encoding.',
  },
  unauthorized: {
    status: 401,
    title: 'Credentials are missing or not valid',
    about: 'Send `Authorization: Bearer <API key or JWT>`; the key may be revoked or the JWT expired.',
  },
  forbidden: {
    status: 403,
    title: 'The credentials lack the permission',
    about: 'The API key or JWT does not grant the permission this operation needs.',
  },
  'not-found': { status: 404, title: 'Not found', about: 'No such route, bank operation or operation.' },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    about: 'The path exists with other methods, listed in `Allow`.',
  },
  'bank-busy': {
    status: 409,
    title: 'Another operation on the bank is running',
    about:
      'Operations on one bank never interleave; `runningOperation` names the one running. Retry once it has ended.',
  },
  'rotation-not-waiting': {
    status: 409,
    title: 'The rotation is not waiting',
    about: 'A rotation can be completed only while it waits for its grace period.',
  },
  'no-open-task': {
    status: 409,
    title: 'Nothing waits for this',
    about:
      'No running operation has an open task this request completes: the bank has no operation waiting for a person, the task is closed already (done twice, expired, cancelled, or another key was accepted), or it is of another kind (a read-verified task is checked, not confirmed). `detail` says which; nothing was changed.',
  },
  'idempotency-key-in-progress': {
    status: 409,
    title: 'A request with this Idempotency-Key is still being answered',
    about: 'Retry after `Retry-After` seconds to get its answer.',
  },
  'uri-too-long': {
    status: 414,
    title: 'A path parameter is too long',
    about: 'Path parameters are at most 256 characters; no identifier of this API is longer.',
  },
  'payload-too-large': {
    status: 413,
    title: 'The request body is too large',
    about: 'Bodies are limited in size; split large user lists over several requests.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    about: 'Send bodies as `application/json`.',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'The Idempotency-Key was used for another request',
    about:
      'A key names one request: the same key with another method, path or body is refused. Use a new key.',
  },
  'credential-refused': {
    status: 422,
    title: 'The bank API key was refused',
    about:
      "The operation checked the handed-over key by reading the IdP and refused it; `detail` says why (the secret mints no token, the key is another bank's, its name, IP allowlist or expiry are not the task's, it has expired). The task stays open (`taskId`), the refused secret is revoked from the secret store: hand over the right key.",
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    about: 'The caller exceeded its rate limit; retry after `Retry-After` seconds.',
  },
  'internal-error': {
    status: 500,
    title: 'Internal error',
    about: 'Something failed on our side; the request may be retried with the same Idempotency-Key.',
  },
  'temporal-unavailable': {
    status: 503,
    title: 'Temporal is not reachable',
    about: 'The workflow service did not answer; retry with the same Idempotency-Key.',
  },
  'store-unavailable': {
    status: 503,
    title: 'The ledger is not reachable',
    about:
      'The database holding API keys and idempotency records did not answer; retry after `Retry-After` seconds.',
  },
} as const;

export type ProblemName = keyof typeof PROBLEM_TYPES;

/** The reference page's section of the problem: a relative URI reference, resolved against the API's URL. */
export const problemTypeUri = (name: ProblemName) => `/docs#problem-${name}`;

export const FieldError = z.object({
  /** Where the field is: the path, the query, a header or the body. */
  in: z.enum(['path', 'query', 'header', 'body']),
  /** Dotted path of the field (`users.0.email`); empty for the body as a whole. */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const RunningOperation = z.object({
  operationId: z.string(),
  operation: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  startedAt: z.string(),
});

/** The problem document every error response carries. */
export const ProblemDocument = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  /** The request path. */
  instance: z.string(),
  errors: z.array(FieldError).optional(),
  runningOperation: RunningOperation.optional(),
  /** The task a refused submission was for (`credential-refused`). */
  taskId: z.string().optional(),
});
export type ProblemDocument = z.infer<typeof ProblemDocument>;

export class Problem extends Error {
  override name = 'Problem';
  constructor(
    readonly problem: ProblemName,
    readonly detail: string,
    readonly extra: Pick<ProblemDocument, 'errors' | 'runningOperation' | 'taskId'> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function problemDocument(problem: Problem, instance: string): ProblemDocument {
  const { status, title } = PROBLEM_TYPES[problem.problem];
  return {
    type: problemTypeUri(problem.problem),
    title,
    status,
    detail: problem.detail,
    instance,
    ...problem.extra,
  };
}

/** A zod error as the problem's field list. */
export function fieldErrors(where: FieldError['in'], error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    in: where,
    field: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

const FASTIFY_PROBLEMS: Record<string, ProblemName> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-request',
  FST_ERR_BAD_URL: 'malformed-request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
};

const RETRY_AFTER = { 'retry-after': '5' };

/**
 * What any error means to the caller. Details are the errors' own messages, which never hold a secret; an
 * unexpected error's message stays in the log.
 */
export function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof InvalidInputError) {
    return new Problem('invalid-input', err.message.replace(/^Invalid input: /, ''), { errors: [] });
  }
  if (err instanceof BankBusyError) {
    return new Problem('bank-busy', err.message, err.running ? { runningOperation: err.running } : {});
  }
  if (err instanceof RotationNotWaitingError) return new Problem('rotation-not-waiting', err.message);
  if (err instanceof RequestIdReusedError) return new Problem('idempotency-key-reused', err.message);
  if (err instanceof NoOpenTaskError) return new Problem('no-open-task', err.message);
  if (err instanceof WorkflowNotFoundError) return new Problem('not-found', 'No such operation');
  // An update (completing a rotation) no worker took up in time: Temporal's side is not answering.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new Problem('temporal-unavailable', 'The Temporal service did not answer', {}, RETRY_AFTER);
  }
  const grpc = grpcCodeOf(err);
  if (grpc !== undefined) return temporalProblem(grpc);
  if (isStoreUnavailable(err)) {
    return new Problem('store-unavailable', 'The ledger did not answer', {}, RETRY_AFTER);
  }
  const fastify = err as Partial<FastifyError>;
  const named = fastify.code ? FASTIFY_PROBLEMS[fastify.code] : undefined;
  if (named) return new Problem(named, PROBLEM_TYPES[named].title);
  // Any other error Fastify marks as the client's (a 4xx) is a malformed request, never a 500.
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new Problem('malformed-request', 'The request is malformed');
  }
  return new Problem('internal-error', 'The request failed on our side');
}

/** The gRPC status code of a Temporal service error, wrapped by the SDK (ServiceError) or not. */
export function grpcCodeOf(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return err.cause.code;
  return undefined;
}

/**
 * Temporal's answers by gRPC status. A service that did not answer or is overloaded — CANCELLED (1),
 * DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8), ABORTED (10), INTERNAL (13), UNAVAILABLE (14) — is
 * unavailable: retry. NOT_FOUND (5) is a workflow that does not exist (describing, querying or updating
 * it); INVALID_ARGUMENT (3) is a request Temporal refuses as formed (an operation id whose run id is not a
 * run id; a start too large for its payload limit). Anything else (permission, configuration) is ours.
 */
function temporalProblem(code: number): Problem {
  if (TEMPORAL_UNAVAILABLE_CODES.has(code)) {
    return new Problem('temporal-unavailable', 'The Temporal service did not answer', {}, RETRY_AFTER);
  }
  if (code === GRPC_NOT_FOUND) return new Problem('not-found', 'No such operation');
  if (code === GRPC_INVALID_ARGUMENT) {
    return new Problem('invalid-input', 'The workflow service refused the request as malformed', {
      errors: [],
    });
  }
  return new Problem('internal-error', 'The request failed on our side');
}

export const GRPC_INVALID_ARGUMENT = 3;
const GRPC_NOT_FOUND = 5;
const TEMPORAL_UNAVAILABLE_CODES = new Set([1, 4, 8, 10, 13, 14]);

/**
 * The ledger's database not answering: a refused or dropped connection, PostgreSQL's connection-exception
 * class (08xxx), shutdown (57P01..57P03) or too many connections (53300), SQLite busy or locked.
 */
function isStoreUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '53300', 'SQLITE_BUSY', 'SQLITE_LOCKED'].includes(
      code,
    ) ||
    code.startsWith('08') ||
    code.startsWith('57P')
  );
}
