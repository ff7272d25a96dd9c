/**
 * HTTP to the IdP, with ky: one instance holding the base URL, the timeout and no retries of its own (Temporal
 * retries activities); calls to /api/* carry the bearer token, refreshed once after a 401.
 * Every failure is classified by errors.ts and every response body parsed with its zod schema.
 */
import ky, { HTTPError } from 'ky';
import type { z } from 'zod';
import { parseOrThrow } from '../model/validation.js';
import { classifyFailure, invalidResponse } from './errors.js';

export interface HttpRequest {
  /** The client method's name, used in error messages. */
  operation: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Relative to the base URL, without a leading slash. */
  path: string;
  searchParams?: Record<string, string | number | undefined>;
  json?: unknown;
}

export interface TransportOptions {
  baseUrl: string;
  /** Until the response headers arrive; reading the body is bounded by the caller's signal. */
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Waits until the next request may be sent (the IdP's rate limit); every request, retries included. */
  pace?: (signal?: AbortSignal) => Promise<void>;
}

/** Where the bearer token of /api/* calls comes from. */
export interface BearerTokens {
  /** A usable access token, fetched when none is cached. */
  get(signal?: AbortSignal): Promise<string>;
  /** The IdP refused `token` (401): forget it. */
  refused(token: string): void;
}

export interface Transport {
  /** Sends the request and parses the response body with `schema`. */
  <T>(request: HttpRequest, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T>;
  /** Sends the request and ignores the (204) response body. */
  (request: HttpRequest, schema: null, signal?: AbortSignal): Promise<void>;
}

export function createTransport({ baseUrl, timeoutMs, fetch, pace }: TransportOptions) {
  new URL(baseUrl); // a malformed base URL is a configuration error, thrown now rather than per request
  const http = ky.create({
    prefixUrl: baseUrl,
    timeout: timeoutMs,
    retry: 0,
    headers: { accept: 'application/json' },
    fetch,
    hooks: pace ? { beforeRequest: [(_request, options) => pace(options.signal ?? undefined)] } : {},
  });

  /** Sends with `http`, the bearer token from `tokens` when given (a 401 refreshes it and sends once more). */
  function sender(tokens?: BearerTokens): Transport {
    async function attempt(request: HttpRequest, signal: AbortSignal | undefined, retried: boolean) {
      const token = tokens && (await tokens.get(signal));
      try {
        return await http(request.path, {
          method: request.method,
          searchParams: request.searchParams,
          json: request.json,
          headers: token ? { authorization: `Bearer ${token}` } : undefined,
          signal,
        });
      } catch (err) {
        // Safe for writes too: the IdP checks the token before anything else. Done here rather than in an
        // afterResponse hook, which would make ky copy every response body for the hook.
        if (token && !retried && err instanceof HTTPError && err.response.status === 401) {
          await err.response.body?.cancel();
          tokens.refused(token);
          return attempt(request, signal, true); // a second 401 is final
        }
        throw err;
      }
    }

    function send<T>(request: HttpRequest, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T>;
    function send(request: HttpRequest, schema: null, signal?: AbortSignal): Promise<void>;
    async function send<T>(request: HttpRequest, schema: z.ZodType<T> | null, signal?: AbortSignal) {
      try {
        const response = await attempt(request, signal, false);
        if (schema === null) {
          await response.body?.cancel();
          return undefined;
        }
        return await parseBody(request.operation, response, schema);
      } catch (err) {
        signal?.throwIfAborted(); // a cancelled call surfaces as the caller's abort reason, not as an IdP failure
        throw await classifyFailure(request.operation, err, timeoutMs);
      }
    }
    return send;
  }

  return {
    /** Calls that carry no token: /oauth/token. */
    anonymous: sender(),
    /** Calls with the bearer token, refreshed once after a 401. */
    withBearer: (tokens: BearerTokens) => sender(tokens),
  };
}

async function parseBody<T>(operation: string, response: Response, schema: z.ZodType<T>): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidResponse(operation, `the body is not JSON (HTTP ${response.status})`);
  }
  return parseOrThrow(schema, body, (problems) => invalidResponse(operation, problems), 'body');
}
