/**
 * An API test world: the test world (dev server, sandbox, worker) plus the HTTP API over real HTTP, a helper
 * that sends requests and checks every answer against the API's own OpenAPI document, and the audit lines
 * the API logged.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/keys.js';
import type { ApiPermission } from '../../src/api/permissions.js';
import { startApiServer, type RunningApiServer } from '../../src/api/server.js';
import type { JwtVerification } from '../../src/api/config.js';
import { capturingLogger, createTestWorld, type TestWorld, type TestWorldOptions } from '../support/env.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text of a non-JSON answer. */
  body: unknown;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is instead of `body` as JSON. */
  rawBody?: string;
  headers?: Record<string, string>;
}

type OpenApiDocument = {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, OpenApiResponse> }>>;
  components: { schemas: Record<string, unknown> };
};
type OpenApiResponse = { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> };

/**
 * Checks answers against an OpenAPI document: a documented route's answer must have a documented status and
 * match that response's schema; anything else must be a problem document. Records which operations and
 * statuses were seen.
 */
export class OpenApiChecker {
  readonly seen = new Set<string>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  constructor(readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ ...(document.components.schemas.Problem as object), $id: 'problem' });
  }

  private operation(method: string, path: string) {
    for (const [template, operations] of Object.entries(this.document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
      const operation = operations[method.toLowerCase()];
      if (pattern.test(path) && operation) return operation;
    }
    return undefined;
  }

  check(method: string, path: string, response: ApiResponse): void {
    const where = `${method} ${path} → ${response.status}`;
    const contentType = response.headers.get('content-type') ?? '';
    const operation = this.operation(method, path.split('?')[0]!);
    let schema: unknown;
    if (operation) {
      const documented = operation.responses[String(response.status)];
      assert.ok(documented, `${where}: status not documented for ${operation.operationId}`);
      const [mediaType, content] = Object.entries(documented.content ?? {})[0] ?? [];
      assert.ok(
        mediaType && contentType.startsWith(mediaType),
        `${where}: content type ${contentType}, documented ${mediaType}`,
      );
      schema = content!.schema;
      this.seen.add(`${operation.operationId} ${response.status}`);
    } else {
      assert.ok(
        contentType.startsWith('application/problem+json'),
        `${where}: undocumented route answered ${contentType}`,
      );
      schema = { $ref: 'problem' };
    }
    // The document's own references point at its components; the checker knows the one it holds.
    const resolved = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/schemas/Problem"', '"problem"'),
    ) as object;
    const validate = this.ajv.compile(resolved);
    assert.ok(
      validate(response.body),
      `${where}: body does not match the OpenAPI document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`,
    );
  }
}

export interface ApiWorld {
  world: TestWorld;
  api: RunningApiServer;
  audit: () => Record<string, unknown>[];
  /** Every line the API logged, as written: to search for leaked secrets. */
  log: string[];
  checker: OpenApiChecker;
  /** The text of every answer `request` got, to search for leaked secrets. */
  answers: string[];
  /** A new API key with these permissions (named `test` unless `name` says otherwise). */
  key(permissions: ApiPermission[], name?: string): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function createApiWorld(
  options: TestWorldOptions & { jwt?: JwtVerification; rateLimitPerMinute?: number } = {},
): Promise<ApiWorld> {
  const world = await createTestWorld(options);
  await world.startWorker();
  const lines: string[] = [];
  const logger = capturingLogger('info', lines);
  const api = await startApiServer({
    client: world.client,
    ledger: world.deps.ledger,
    secrets: world.deps.secrets,
    logger,
    jwt: options.jwt,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    version: 'test',
  });
  const checker = new OpenApiChecker((await send(api.url, 'GET', '/openapi.json')).body as OpenApiDocument);
  const answers: string[] = [];
  return {
    answers,
    world,
    api,
    checker,
    audit: () =>
      lines
        .map((line) => JSON.parse(line) as { audit?: Record<string, unknown> })
        .flatMap((entry) => (entry.audit ? [entry.audit] : [])),
    log: lines,
    key: async (permissions, name = 'test') => (await createApiKey(world.deps.ledger, name, permissions)).key,
    async request(method, path, requestOptions) {
      const response = await send(api.url, method, path, requestOptions);
      checker.check(method, path, response);
      answers.push(JSON.stringify(response.body));
      return response;
    },
    async close() {
      await api.close();
      await world.close();
    },
  };
}

/** Asserts a problem document of this type and status. */
export function assertProblem(
  response: ApiResponse,
  status: number,
  problem: string,
): Record<string, unknown> {
  const body = response.body as Record<string, unknown>;
  assert.equal(
    response.status,
    status,
    `expected ${status} ${problem}, got ${response.status}: ${JSON.stringify(body)}`,
  );
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(body.type, `/docs#problem-${problem}`);
  assert.equal(body.status, status);
  return body;
}
