/** Helpers for the sandbox tests: real HTTP with fetch against a started sandbox. */
import assert from 'node:assert/strict';
import { ErrorResponse } from '../../src/model/idp-schemas.js';
import type { SandboxStats } from '../../src/dev/sandbox/context.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty. */
  body: unknown;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Raw body, sent as is (with `contentType`). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function call(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

/** Asserts an ErrorResponse with this status and message_code (and message, when given). */
export function assertError(
  answer: Answer,
  status: number,
  messageCode: string,
  message?: string | RegExp,
): void {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text}`);
  const error = ErrorResponse.parse(answer.body);
  assert.equal(error.status, status);
  assert.equal(error.message_code, messageCode);
  if (typeof message === 'string') assert.equal(error.error_message, message);
  else if (message) assert.match(error.error_message, message);
}

export async function tokenFor(
  sandbox: RunningSandbox,
  clientId: string,
  clientSecret: string,
  scope?: string,
): Promise<{ access_token: string; scope: string }> {
  const answer = await call(sandbox, 'POST', '/oauth/token', {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope },
  });
  assert.equal(answer.status, 200, answer.text);
  return answer.body as { access_token: string; scope: string };
}

/** An organization token with these scopes (all the organization may hold when omitted). */
export async function orgToken(sandbox: RunningSandbox, scope?: string): Promise<string> {
  const { clientId, clientSecret } = sandbox.orgCredentials;
  return (await tokenFor(sandbox, clientId, clientSecret, scope)).access_token;
}

export interface CreatedApplication {
  client_id: string;
  secret: string;
  name: string;
  scopes: string[];
  ip_allowlist: string[];
  created_at: string;
  updated_at?: string;
  expires_at: string | null;
}

export async function createBankApplication(
  sandbox: RunningSandbox,
  token: string,
  bankGuid: string,
  name = 'bank app',
): Promise<CreatedApplication> {
  const answer = await call(sandbox, 'POST', '/api/bank_applications', {
    token,
    body: { name, bank_guid: bankGuid },
  });
  assert.equal(answer.status, 201, answer.text);
  return answer.body as CreatedApplication;
}

/** A bank token for a new application of `bankGuid`. */
export async function bankToken(sandbox: RunningSandbox, bankGuid: string, scope?: string): Promise<string> {
  const app = await createBankApplication(sandbox, await orgToken(sandbox), bankGuid);
  return (await tokenFor(sandbox, app.client_id, app.secret, scope)).access_token;
}

export async function stats(sandbox: RunningSandbox): Promise<SandboxStats> {
  return (await call(sandbox, 'GET', '/__sandbox/stats')).body as SandboxStats;
}

/** Tells the sandbox of a customer of `bankGuid` (POST /__sandbox/customers); returns its guid. */
export async function seedCustomer(sandbox: RunningSandbox, bankGuid: string): Promise<string> {
  const answer = await call(sandbox, 'POST', '/__sandbox/customers', { body: { bank_guid: bankGuid } });
  assert.equal(answer.status, 201, answer.text);
  return (answer.body as { guid: string }).guid;
}

let counter = 0;
/** A fresh 32-lowercase-hex guid. */
export const guid = (): string => `${(++counter).toString(16).padStart(8, '0')}${'a'.repeat(24)}`;

export const ISO_MILLIS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An in-memory sandbox and an organization token for it. */
export async function startSandboxWithAdmin(): Promise<{ sandbox: RunningSandbox; admin: string }> {
  const sandbox = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
  return { sandbox, admin: await orgToken(sandbox) };
}
