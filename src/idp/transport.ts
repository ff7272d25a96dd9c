/**
 * One HTTP exchange with the IdP over ky: JSON in, JSON out, a timeout on every request, no retries
 * (Temporal retries), every failure classified by errors.ts and the response parsed with its zod schema.
 */
import ky from 'ky';
import type { z } from 'zod';
import { parseOrThrow } from '../model/validation.js';
import { errorFromResponse, IdpError, invalidResponse, networkFailure, timedOut } from './errors.js';

export interface HttpRequest {
  /** The client method's name, used in error messages. */
  operation: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Relative to the base URL, without a leading slash. */
  path: string;
  searchParams?: Record<string, string | number | undefined>;
  json?: unknown;
  bearerToken?: string;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface Transport {
  /** Sends the request and parses the response body with `schema`. */
  <T>(request: HttpRequest, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T>;
  /** Sends the request and ignores the (204) response body. */
  (request: HttpRequest, schema: null, signal?: AbortSignal): Promise<void>;
}

export function createTransport({ baseUrl, timeoutMs, fetch }: TransportOptions): Transport {
  new URL(baseUrl); // a malformed base URL is a configuration error, thrown now rather than per request
  const http = ky.create({
    prefixUrl: baseUrl,
    retry: 0,
    // Our own deadline (below) also bounds reading the body; ky's stops at the response headers.
    timeout: false,
    // Non-2xx responses are classified here; ky's HTTPError would carry the request options (and body).
    throwHttpErrors: false,
    headers: { accept: 'application/json' },
    fetch,
  });

  function send<T>(request: HttpRequest, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T>;
  function send(request: HttpRequest, schema: null, signal?: AbortSignal): Promise<void>;
  async function send<T>(request: HttpRequest, schema: z.ZodType<T> | null, signal?: AbortSignal) {
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await http(request.path, {
        method: request.method,
        searchParams: request.searchParams,
        json: request.json,
        headers: request.bearerToken ? { authorization: `Bearer ${request.bearerToken}` } : undefined,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      });
      if (!response.ok) throw await errorFromResponse(request.operation, response);
      if (schema === null) {
        await response.body?.cancel();
        return undefined;
      }
      return await parseBody(request.operation, response, schema);
    } catch (err) {
      signal?.throwIfAborted(); // a cancelled call surfaces as the caller's abort reason, not as an IdP failure
      if (err instanceof IdpError) throw err;
      if (deadline.aborted) throw timedOut(request.operation, timeoutMs);
      throw networkFailure(request.operation, err);
    }
  }
  return send;
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
