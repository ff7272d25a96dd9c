/**
 * Every IdP failure is classified here, once: HTTP status → stable `type` and
 * retryability, `Retry-After` → delay, network and timeout → retryable, and the mapping to a Temporal
 * ApplicationFailure that activities throw.
 *
 * Messages carry the operation, the status and the IdP's own `message_code` / `error_message`, never a
 * request or response body: bodies of /oauth/token and the create endpoints hold secrets.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { HTTPError, TimeoutError } from 'ky';
import { ErrorResponse, OAuthError } from '../model/idp-schemas.js';
import { WRITE_NOT_PERMITTED, type IdpOperation } from './permissions.js';

export type IdpErrorType =
  | 'IdpBadRequest'
  | 'IdpUnauthorized'
  | 'IdpForbidden'
  | 'IdpNotFound'
  | 'IdpConflict'
  | 'IdpValidationError'
  | 'IdpUnavailable'
  | 'IdpUnexpectedStatus'
  | 'IdpInvalidResponse'
  | 'IdpRequestInvalid'
  | 'IdpScopeDropped'
  | typeof WRITE_NOT_PERMITTED
  | 'IdpWriteTokenFailed';

export interface IdpErrorInit {
  type: IdpErrorType;
  operation: string;
  message: string;
  retryable: boolean;
  status?: number;
  messageCode?: string;
  errorMessage?: string;
  retryAfterMs?: number;
  /** Scopes the operation needs and the token lacks (IdpScopeDropped, IdpWriteNotPermitted). */
  missingScopes?: readonly string[];
}

export class IdpError extends Error {
  readonly type: IdpErrorType;
  readonly operation: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly messageCode?: string;
  readonly errorMessage?: string;
  readonly retryAfterMs?: number;
  readonly missingScopes?: readonly string[];

  constructor(init: IdpErrorInit) {
    super(init.message);
    this.name = init.type;
    this.type = init.type;
    this.operation = init.operation;
    this.retryable = init.retryable;
    this.status = init.status;
    this.messageCode = init.messageCode;
    this.errorMessage = init.errorMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.missingScopes = init.missingScopes;
  }
}

const NON_RETRYABLE_STATUS: Readonly<Record<number, IdpErrorType>> = {
  400: 'IdpBadRequest',
  401: 'IdpUnauthorized',
  403: 'IdpForbidden',
  404: 'IdpNotFound',
  409: 'IdpConflict',
  422: 'IdpValidationError',
};

const isTransientStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** `Retry-After` as delta-seconds or an HTTP-date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with a day name; this keeps Date.parse from reading "-5" as a year.
  const date = /^[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The IdP's own error fields: `ErrorResponse` on /api/*, OAuth2 `{error, error_description}` on /oauth/token. */
function errorFields(text: string): { messageCode?: string; errorMessage?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  const api = ErrorResponse.safeParse(body);
  if (api.success) return { messageCode: api.data.message_code, errorMessage: api.data.error_message };
  const oauth = OAuthError.safeParse(body);
  if (oauth.success) return { messageCode: oauth.data.error, errorMessage: oauth.data.error_description };
  return {};
}

/** Classifies a non-2xx response. Reads the body only to pick out the IdP's error fields. */
export async function errorFromResponse(operation: string, response: Response): Promise<IdpError> {
  const { status } = response;
  const { messageCode, errorMessage } = errorFields(await response.text().catch(() => ''));
  const message =
    `${operation} failed: ${status}` +
    (messageCode ? ` ${messageCode}` : '') +
    (errorMessage ? ` (${errorMessage})` : '');
  const common = { operation, message, status, messageCode, errorMessage };
  if (isTransientStatus(status)) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new IdpError({ ...common, type: 'IdpUnavailable', retryable: true, retryAfterMs });
  }
  return new IdpError({
    ...common,
    type: NON_RETRYABLE_STATUS[status] ?? 'IdpUnexpectedStatus',
    retryable: false,
  });
}

/**
 * What a failed exchange with the IdP means; the one place ky's errors are read. An HTTPError is classified by
 * its response, a TimeoutError is a retryable timeout, anything else a network failure; an IdpError (an
 * invalid response, a refused token request) passes unchanged.
 */
export async function classifyFailure(operation: string, err: unknown, timeoutMs: number): Promise<IdpError> {
  if (err instanceof IdpError) return err;
  if (err instanceof HTTPError) return errorFromResponse(operation, err.response);
  if (err instanceof TimeoutError) return timedOut(operation, timeoutMs);
  return networkFailure(operation, err);
}

export function timedOut(operation: string, timeoutMs: number): IdpError {
  const message = `${operation} failed: no response from the IdP within ${timeoutMs} ms`;
  return new IdpError({ type: 'IdpUnavailable', operation, message, retryable: true });
}

/** A connection failure. Names only the low-level code (e.g. ECONNRESET): nothing request-specific. */
export function networkFailure(operation: string, err: unknown): IdpError {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'unknown error';
  const message = `${operation} failed: network error (${reason})`;
  return new IdpError({ type: 'IdpUnavailable', operation, message, retryable: true });
}

/** A request refused before sending; `problems` as describeIssues words them. */
export function invalidRequest(operation: string, problems: string): IdpError {
  const message = `${operation} request is invalid: ${problems}`;
  return new IdpError({ type: 'IdpRequestInvalid', operation, message, retryable: false });
}

export function invalidResponse(operation: string, problems: string): IdpError {
  const message = `IdP response of ${operation} is invalid: ${problems}`;
  return new IdpError({ type: 'IdpInvalidResponse', operation, message, retryable: false });
}

/** A read the worker needs, whose scope the IdP dropped from the token it granted. */
export function scopesDropped(operation: string, missing: readonly string[]): IdpError {
  const message = `${operation} failed: the IdP did not grant the requested scopes ${missing.join(', ')}`;
  return new IdpError({
    type: 'IdpScopeDropped',
    operation,
    message,
    retryable: false,
    missingScopes: missing,
  });
}

/**
 * A write the worker may not make: the IdP dropped its scope from the API key's token (every IdP since
 * v0.129.1209 does: a person makes the write in the Partner Portal) and no write token source is configured.
 * Refused before any request; the next step is a person's, so the type is stable and exported for it.
 */
export function writeNotPermitted(operation: IdpOperation, scope: string): IdpError {
  const message =
    `${operation} needs the scope ${scope}, which the IdP did not grant the worker's API key: ` +
    `on this IdP a person makes this write in the Cybrid Partner Portal ` +
    `(or the worker gets a token that may write from CYBRID_IDP_WRITE_TOKEN_COMMAND)`;
  return new IdpError({
    type: WRITE_NOT_PERMITTED,
    operation,
    message,
    retryable: false,
    missingScopes: [scope],
  });
}

/**
 * CYBRID_IDP_WRITE_TOKEN_COMMAND gave no token. `problem` says what went wrong in our words only: the
 * command's output may hold a token, so none of it is ever repeated. A command that ran and failed, or ran
 * too long, may succeed later (retryable); one that answers something other than the documented JSON will
 * not.
 */
export function writeTokenFailed(problem: string, retryable: boolean): IdpError {
  const message = `CYBRID_IDP_WRITE_TOKEN_COMMAND ${problem} (its output is not shown: it may hold a token)`;
  return new IdpError({ type: 'IdpWriteTokenFailed', operation: 'writeToken', message, retryable });
}

const hasType = (err: unknown, type: IdpErrorType) => err instanceof IdpError && err.type === type;
export const isNotFound = (err: unknown): boolean => hasType(err, 'IdpNotFound');
export const isConflict = (err: unknown): boolean => hasType(err, 'IdpConflict');
export const isRetryable = (err: unknown): boolean => err instanceof IdpError && err.retryable;
/** The write is a person's to make (see writeNotPermitted); `missingScopes` names what the token lacks. */
export const isWriteNotPermitted = (err: unknown): err is IdpError => hasType(err, WRITE_NOT_PERMITTED);

/** A cancelled activity (Temporal's CancelledFailure) or an aborted call (AbortSignal). */
export const isCancellation = (err: unknown): boolean =>
  err instanceof CancelledFailure || (err instanceof Error && err.name === 'AbortError');

/**
 * What an activity throws for `err`. IdP errors become ApplicationFailures with their stable `type`,
 * retryability and `Retry-After` delay; ApplicationFailures pass unchanged; any other error becomes a
 * retryable failure named after it (the SDK's ApplicationFailure.fromError, Temporal's own default). A cancellation is not a failure: it is
 * rethrown as-is, so `throw applicationFailureUnlessCancelled(err)` propagates it untouched.
 */
export function applicationFailureUnlessCancelled(err: unknown): ApplicationFailure {
  if (isCancellation(err)) throw err;
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof IdpError) {
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: !err.retryable,
      details: [
        {
          status: err.status,
          messageCode: err.messageCode,
          operation: err.operation,
          ...(err.missingScopes ? { missingScopes: [...err.missingScopes] } : {}),
        },
      ],
      // Retry-After: 0 asks for no particular wait: leave the delay to the retry policy.
      nextRetryDelay: err.retryAfterMs ? err.retryAfterMs : undefined,
    });
  }
  return ApplicationFailure.fromError(err);
}
