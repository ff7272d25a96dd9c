/**
 * Shared by the IdP contract tests: a real sandbox over HTTP, clients whose `fetch` counts (and, where a
 * test needs it, alters) the real exchanges, and a record of every secret seen so that no thrown error
 * can be shown to carry one.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createIdpClient, type IdpClientOptions } from '../../src/idp/client.js';
import { IdpError, type IdpErrorType } from '../../src/idp/errors.js';
import { startSandbox, type RunningSandbox, type SandboxFaults } from '../../src/dev/sandbox/index.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

export const ORG_SCOPES = [
  'banks:read',
  'bank_applications:read',
  'bank_applications:write',
  'bank_applications:execute',
  'organizations:read',
  'organization_applications:read',
  'organization_applications:write',
  'organization_applications:execute',
  'users:read',
  'users:write',
  'users:execute',
] as const;

type Checked =
  | 'operation'
  | 'message'
  | 'status'
  | 'messageCode'
  | 'errorMessage'
  | 'retryable'
  | 'retryAfterMs'
  | 'missingScopes';
/** Fields an error must have; a RegExp matches the field's text. */
export type ExpectedError = { type: IdpErrorType } & { [K in Checked]?: IdpError[K] | RegExp };

export type Exchange = { method: string; path: string; status?: number };

/** Alters a request before it is sent, or a response before the client reads it. */
export interface Tamper {
  request?(request: Request): Request;
  response?(request: Request, response: Response): Promise<Response>;
}

export interface IdpTestBed {
  sandbox: RunningSandbox;
  /** Every secret value seen so far: org secret, access tokens, application secrets, invite URLs. */
  secrets: Set<string>;
  /** A client of the sandbox; `scopes` default to ORG_SCOPES and credentials to the organization's. */
  client(options?: Partial<IdpClientOptions> & { tamper?: Tamper }): {
    idp: ReturnType<typeof createIdpClient>;
    exchanges: Exchange[];
    tokenRequests: () => number;
    apiRequests: () => number;
  };
  /** Expects `promise` to reject with an IdpError matching `expected`, free of every known secret. */
  rejectsWith(promise: Promise<unknown>, expected: ExpectedError): Promise<IdpError>;
  setFaults(faults: Partial<SandboxFaults>): void;
  stats(): Promise<{ requests: number; writes: number }>;
  close(): Promise<void>;
}

export async function startIdpTestBed(faults: Partial<SandboxFaults> = {}): Promise<IdpTestBed> {
  const sandbox = await startSandbox({ database: ':memory:', faults, contract: WRITING_CONTRACT });
  const secrets = new Set<string>([sandbox.orgCredentials.clientSecret]);

  /** Records secrets in responses of /oauth/token and the create endpoints. */
  async function harvest(request: Request, response: Response) {
    if (!response.ok || request.method !== 'POST') return;
    const body = (await response
      .clone()
      .json()
      .catch(() => ({}))) as Record<string, unknown>;
    for (const key of ['access_token', 'secret', 'invite_url']) {
      if (typeof body[key] === 'string') secrets.add(body[key]);
    }
  }

  function client(options: Partial<IdpClientOptions> & { tamper?: Tamper } = {}) {
    const exchanges: Exchange[] = [];
    const fetchThrough: typeof fetch = async (input, init) => {
      let request = new Request(input, init);
      if (options.tamper?.request) request = options.tamper.request(request);
      const exchange: Exchange = { method: request.method, path: new URL(request.url).pathname };
      exchanges.push(exchange);
      let response = await fetch(request);
      exchange.status = response.status;
      await harvest(request, response);
      if (options.tamper?.response) response = await options.tamper.response(request, response);
      return response;
    };
    const idp = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: ORG_SCOPES,
      ...options,
      fetch: fetchThrough,
    });
    return {
      idp,
      exchanges,
      tokenRequests: () => exchanges.filter((e) => e.path === '/oauth/token').length,
      apiRequests: () => exchanges.filter((e) => e.path.startsWith('/api/')).length,
    };
  }

  async function rejectsWith(promise: Promise<unknown>, expected: ExpectedError) {
    let caught: unknown;
    await assert.rejects(promise, (err) => {
      caught = err;
      return true;
    });
    assert.ok(caught instanceof IdpError, `expected an IdpError, got ${inspect(caught)}`);
    for (const [key, value] of Object.entries(expected)) {
      const actual: unknown = (caught as unknown as Record<string, unknown>)[key];
      if (value instanceof RegExp) assert.match(String(actual), value, `${key} of ${caught.message}`);
      else assert.deepEqual(actual, value, `${key} of "${caught.message}"`);
    }
    assertNoSecret(caught);
    return caught;
  }

  function assertNoSecret(err: IdpError) {
    const text = [err.message, String(err.stack), inspect(err, { depth: 5 }), JSON.stringify(err)].join('\n');
    for (const secret of secrets)
      assert.equal(text.includes(secret), false, `${err.type} carries a secret value`);
  }

  return {
    sandbox,
    secrets,
    client,
    rejectsWith,
    setFaults: (patch) => sandbox.setFaults(patch),
    stats: async () =>
      (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { requests: number; writes: number },
    close: () => sandbox.close(),
  };
}

/** A raw request to the sandbox, bypassing the client (and its validation). */
export async function rawRequest(
  bed: IdpTestBed,
  method: string,
  path: string,
  options: { token?: string; json?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${bed.sandbox.url}${path}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const guidStartingWith = (first: string) => first + '0'.repeat(31);

let counter = 0;
/** Unique within this process, readable in failures. */
export const uniqueEmail = (label: string) => `${label}-${process.pid}-${++counter}@example.com`;
