/**
 * The HTTP edges of the API, in process (Fastify `inject`), with no Temporal server: authentication, the
 * problem answers of the framework's own errors, routing (404, 405 with `Allow` whatever the method), and
 * the OpenAPI document saying what the validation does. The ledger is a real SQLite one; the operations
 * layer is a stub that fails the test if any request here reaches it (none should: each is refused first).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { z } from 'zod';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ProvisionerClient } from '../../src/client/index.js';
import type { SecretStore } from '../../src/secrets/index.js';
import { createApiKey } from '../../src/api/keys.js';
import { API_PERMISSIONS } from '../../src/api/permissions.js';
import { buildApiServer } from '../../src/api/server.js';
import {
  CredentialSubmissionRequest,
  OnboardingRequest,
  RevocationRequest,
  RotationRequest,
  TaskActionRequest,
  UserDisablementRequest,
} from '../../src/api/schemas.js';
import { openLedger, type ProvisioningLedger } from '../../src/ledger/index.js';
import { capturingLogger } from '../support/env.js';
import { assertProblem, OpenApiChecker, type ApiResponse } from './support.js';

/** The operations layer, where a test about HTTP edges must never arrive. */
const unreachableClient = new Proxy({} as ProvisionerClient, {
  get(_target, property) {
    throw new Error(`the operations layer was reached (${String(property)})`);
  },
});
/** The secret store, where a refused request must never arrive either (a handed-over key's secret). */
const unreachableSecrets = new Proxy({} as SecretStore, {
  get(_target, property) {
    throw new Error(`the secret store was reached (${String(property)})`);
  },
});

const BANK = '0123456789abcdef0123456789abcdef';
const PATHS: [path: string, allow: string][] = [
  ['/v1/banks/{bankGuid}', 'GET, HEAD'],
  ['/v1/banks/{bankGuid}/onboarding', 'POST'],
  ['/v1/banks/{bankGuid}/rotation', 'POST'],
  ['/v1/banks/{bankGuid}/rotation/completion', 'POST'],
  ['/v1/banks/{bankGuid}/revocation', 'POST'],
  ['/v1/banks/{bankGuid}/offboarding', 'POST'],
  ['/v1/user-disablements', 'POST'],
  ['/v1/operations/{operationId}', 'GET, HEAD'],
  ['/v1/tasks', 'GET, HEAD'],
  ['/v1/banks/{bankGuid}/credential', 'POST'],
  ['/v1/banks/{bankGuid}/tasks/check', 'POST'],
  ['/v1/tasks/{taskId}/done', 'POST'],
  ['/openapi.json', 'GET, HEAD'],
  ['/docs', 'GET, HEAD'],
];
const concrete = (path: string) =>
  path
    .replace('{bankGuid}', BANK)
    .replace('{operationId}', `bank-${BANK}~7c9e6679-7425-40de-944b-e07fc1f90ae7`)
    .replace('{taskId}', `bank-${BANK}~7c9e6679-7425-40de-944b-e07fc1f90ae7~1`);

type OpenApiDocument = ConstructorParameters<typeof OpenApiChecker>[0] & {
  paths: Record<string, Record<string, { requestBody?: { required: boolean; content: object } }>>;
};

describe('HTTP API edges (in process, no Temporal)', () => {
  let dir: string;
  let ledger: ProvisioningLedger;
  let app: FastifyInstance;
  let limited: FastifyInstance;
  let document: OpenApiDocument;
  let checker: OpenApiChecker;
  let all: string;
  let readOnly: string;
  const unknownKey = `prov_${'0'.repeat(16)}_${'A'.repeat(43)}`;

  const build = (rateLimitPerMinute: number) =>
    buildApiServer({
      client: unreachableClient,
      ledger,
      secrets: unreachableSecrets,
      logger: capturingLogger('info', []),
      rateLimitPerMinute,
      bodyLimitBytes: 1024,
      version: 'test',
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-edges-'));
    ledger = await openLedger({ sqliteFile: join(dir, 'ledger.sqlite') });
    app = await build(100_000);
    limited = await build(2);
    all = (await createApiKey(ledger, 'all', [...API_PERMISSIONS])).key;
    readOnly = (await createApiKey(ledger, 'read', ['read'])).key;
    document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    checker = new OpenApiChecker(document);
  });
  after(async () => {
    await app?.close();
    await limited?.close();
    await ledger?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** One request, its answer checked against the OpenAPI document. */
  async function send(
    method: string,
    url: string,
    options: { token?: string; body?: string; headers?: Record<string, string>; on?: FastifyInstance } = {},
  ): Promise<ApiResponse> {
    const response: LightMyRequestResponse = await (options.on ?? app).inject({
      // QUERY, TRACE and the like are sent as is: inject passes any method string to the router.
      method: method as 'GET',
      url,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { payload: options.body } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, String(value));
    }
    let body: unknown = response.body;
    try {
      body = JSON.parse(response.body);
    } catch {
      // not JSON: kept as text
    }
    const answer = { status: response.statusCode, headers, body };
    if (method !== 'HEAD') checker.check(method, url, answer);
    return answer;
  }
  const json = { 'content-type': 'application/json', 'idempotency-key': 'edge-1' };

  describe('authentication', () => {
    it('refuses a request without a valid bearer token with 401 and a Bearer challenge', async () => {
      const url = concrete('/v1/banks/{bankGuid}');
      for (const [what, headers] of [
        ['no credentials', {}],
        ['not a bearer token', { authorization: `Basic ${all}` }],
        ['an unknown key', { authorization: `Bearer ${unknownKey}` }],
        [
          'a known key id with a wrong secret',
          { authorization: `Bearer ${all.slice(0, -43)}${'B'.repeat(43)}` },
        ],
        ['a JWT while JWTs are not configured', { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }],
      ] as const) {
        const response = await send('GET', url, { headers });
        assertProblem(response, 401, 'unauthorized');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /, what);
      }
    });

    it('refuses a revoked key from the next request on', async () => {
      const key = (await createApiKey(ledger, 'soon revoked', ['read'])).key;
      const keyId = /^prov_([0-9a-f]{16})_/.exec(key)![1]!;
      await ledger.revokeApiKey(keyId, new Date().toISOString());
      assertProblem(await send('GET', concrete('/v1/banks/{bankGuid}'), { token: key }), 401, 'unauthorized');
    });

    it('refuses a key without the permission with 403, before reading the body', async () => {
      const response = await send('POST', concrete('/v1/banks/{bankGuid}/onboarding'), {
        token: readOnly,
        headers: json,
        body: '{}',
      });
      assert.match(String(assertProblem(response, 403, 'forbidden').detail), /"onboard" permission/);
    });
  });

  describe('routing and the framework’s own errors', () => {
    it('answers an unknown route 404 before authentication: the same with a valid key, an unknown one or none', async () => {
      const answers = [];
      for (const token of [all, unknownKey, undefined]) {
        const response = await send('GET', '/v2/nothing/here?x=1', { token });
        answers.push(assertProblem(response, 404, 'not-found'));
      }
      assert.deepEqual(answers[0], answers[1]);
      assert.deepEqual(answers[0], answers[2]);
      assert.equal(answers[0]!.instance, '/v2/nothing/here');
    });

    // Finding 2: QUERY answered 500, TRACE and OPTIONS 404.
    it('answers 405 with Allow for any method a path does not declare, before authentication', async () => {
      for (const [path, allow] of PATHS) {
        const declared = allow.split(', ');
        for (const method of ['QUERY', 'TRACE', 'OPTIONS', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'GET', 'POST']) {
          if (declared.includes(method)) continue;
          for (const token of [all, unknownKey, undefined]) {
            const response = await send(method, concrete(path), { token });
            assert.equal(response.status, 405, `${method} ${path}: ${JSON.stringify(response.body)}`);
            assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
            if (method !== 'HEAD') assertProblem(response, 405, 'method-not-allowed');
          }
        }
      }
    });

    it('answers QUERY with a body and no Content-Type 405, not 500', async () => {
      const response = await send('QUERY', concrete('/v1/banks/{bankGuid}'), { token: all, body: 'x' });
      assertProblem(response, 405, 'method-not-allowed');
    });

    // Finding 3: a long path parameter answered 414 as plain JSON quoting the path, before authentication.
    it('answers a too long path parameter 414 as a problem, echoing no more than a bounded path', async () => {
      const long = 'a'.repeat(5000);
      for (const token of [all, undefined]) {
        const response = await send('GET', `/v1/banks/${long}`, { token });
        const body = assertProblem(response, 414, 'uri-too-long');
        assert.ok(!JSON.stringify(body).includes('FST_ERR'), JSON.stringify(body));
        assert.ok(JSON.stringify(body).length < 1000, 'the path is not echoed whole');
      }
    });

    it('takes path parameters as long as an operation id can be (187 characters) to validation, not 414', async () => {
      const operationId = `${'w'.repeat(150)}~7c9e6679-7425-40de-944b-e07fc1f90ae7`;
      const response = await send('GET', `/v1/operations/${operationId}`, { token: unknownKey });
      assertProblem(response, 401, 'unauthorized');
    });

    it('answers a request Node cannot parse (an unknown method) 400 as a problem', async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(port, '127.0.0.1', () => socket.write('FROB / HTTP/1.1\r\nHost: x\r\n\r\n'));
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /content-type: application\/problem\+json/i);
      assert.match(answer, /"type":"\/docs#problem-malformed-request"/);
    });

    it('answers a broken percent-encoding 400 as a problem', async () => {
      assertProblem(await send('GET', '/v1/banks/%E0%A4%A', { token: all }), 400, 'malformed-request');
    });

    it('refuses a declared body over the limit with 413 before authentication: the same with any key or none', async () => {
      const answers = [];
      for (const token of [all, unknownKey, undefined]) {
        const response = await send('POST', concrete('/v1/banks/{bankGuid}/onboarding'), {
          token,
          headers: json,
          body: JSON.stringify({ users: [{ email: `${'a'.repeat(2000)}@example.com` }] }),
        });
        answers.push(assertProblem(response, 413, 'payload-too-large'));
      }
      assert.deepEqual(answers[0], answers[2]);
      assert.deepEqual(answers[1], answers[2]);
    });

    it('answers another media type 415 and a body that is not JSON 400, quoting none of it', async () => {
      const onboarding = concrete('/v1/banks/{bankGuid}/onboarding');
      const text = await send('POST', onboarding, {
        token: all,
        headers: { ...json, 'content-type': 'text/plain' },
        body: 'secret-text',
      });
      assertProblem(text, 415, 'unsupported-media-type');
      const broken = await send('POST', onboarding, { token: all, headers: json, body: '{"users": [secret' });
      assertProblem(broken, 400, 'malformed-request');
      assert.ok(!JSON.stringify(broken.body).includes('secret'));
    });

    it('drops a `__proto__` key as any unnamed key, and checks the rest of the body', async () => {
      const onboarding = concrete('/v1/banks/{bankGuid}/onboarding');
      const answer = await send('POST', onboarding, {
        token: all,
        headers: { ...json, 'idempotency-key': 'proto' },
        body: '{"application": {"__proto__": [{}], "ipAllowlist": "any"}}',
      });
      const problem = assertProblem(answer, 400, 'invalid-input') as { errors: { field: string }[] };
      assert.deepEqual(
        problem.errors.map((e) => e.field),
        ['application.ipAllowlist'],
      );
    });

    // Finding 4 (second half): a start with no body answered 202 although the document requires one.
    it('refuses a request without a body with 400 naming the body where the document requires one', async () => {
      const optional: string[] = [];
      for (const path of PATHS.map(([p]) => p)) {
        const operations = document.paths[path] ?? {};
        for (const [method, operation] of Object.entries(operations)) {
          if (!operation.requestBody) continue;
          if (!operation.requestBody.required) {
            optional.push(path);
            continue;
          }
          const response = await send(method.toUpperCase(), concrete(path), {
            token: all,
            headers: { 'idempotency-key': 'no-body' },
          });
          const problem = assertProblem(response, 400, 'invalid-input');
          assert.deepEqual(problem.errors, [{ in: 'body', field: '', message: 'a JSON body is required' }]);
        }
      }
      // Only `{by?}` may be left out: who did it is then the caller.
      assert.deepEqual(optional, ['/v1/banks/{bankGuid}/tasks/check', '/v1/tasks/{taskId}/done']);
    });
  });

  describe('tasks for people: permissions and validation, before the secret store or Temporal', () => {
    const SECRET = 'S3cret-never-echoed-9f8e7d';
    const credential = concrete('/v1/banks/{bankGuid}/credential');
    const check = concrete('/v1/banks/{bankGuid}/tasks/check');
    const done = concrete('/v1/tasks/{taskId}/done');
    const post = (url: string, body: unknown, token = all) =>
      send('POST', url, {
        token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const assertNoSecret = (response: ApiResponse) =>
      assert.ok(!JSON.stringify(response.body).includes(SECRET), JSON.stringify(response.body));

    it('needs `tasks` to hand over a key, check or confirm, and `read` to list', async () => {
      const tasksOnly = (await createApiKey(ledger, 'portal person', ['tasks'])).key;
      for (const [url, body] of [
        [credential, { clientId: 'abc', clientSecret: SECRET }],
        [check, {}],
        [done, {}],
      ] as const) {
        const refused = await post(url, body, readOnly);
        assert.match(String(assertProblem(refused, 403, 'forbidden').detail), /"tasks" permission/);
        assertNoSecret(refused);
      }
      const list = await send('GET', '/v1/tasks', { token: tasksOnly });
      assert.match(String(assertProblem(list, 403, 'forbidden').detail), /"read" permission/);
    });

    it('refuses a query parameter that is not a bank guid, or not `bankGuid`, naming it', async () => {
      for (const [query, field] of [
        ['bankGuid=nope', 'bankGuid'],
        [`bankGuid=${BANK}&bankGuid=${BANK}`, 'bankGuid'],
        [`bank=${BANK}`, ''],
      ] as const) {
        const problem = assertProblem(
          await send('GET', `/v1/tasks?${query}`, { token: all }),
          400,
          'invalid-input',
        );
        const errors = problem.errors as { in: string; field: string }[];
        assert.ok(errors.length > 0, query);
        for (const error of errors) assert.deepEqual([error.in, error.field], ['query', field], query);
      }
    });

    it('refuses a malformed submission naming the field, never echoing the secret', async () => {
      for (const [body, field] of [
        [{ clientId: 'abc' }, 'clientSecret'],
        [{ clientSecret: SECRET }, 'clientId'],
        [{ clientId: 'abc', clientSecret: '  \n' }, 'clientSecret'],
        [{ clientId: 'a b', clientSecret: SECRET }, 'clientId'],
        [{ clientId: 'abc', clientSecret: SECRET, by: ' ' }, 'by'],
        [{ clientId: 'abc', clientSecret: SECRET, by: 'b'.repeat(201) }, 'by'],
        [{ clientId: 'abc', clientSecret: SECRET, secret: SECRET }, ''],
        [{ clientId: 'abc', clientSecret: 42 }, 'clientSecret'],
      ] as const) {
        const response = await post(credential, body);
        const problem = assertProblem(response, 400, 'invalid-input');
        assert.deepEqual(
          (problem.errors as { field: string }[]).map((e) => e.field),
          [field],
          JSON.stringify(body).slice(0, 100),
        );
        assertNoSecret(response);
      }
      const broken = await send('POST', credential, {
        token: all,
        headers: { 'content-type': 'application/json' },
        body: `{"clientId": "abc", "clientSecret": "${SECRET}`,
      });
      assertProblem(broken, 400, 'malformed-request');
      assertNoSecret(broken);
    });

    it('refuses a task id that is not one, and a `by` that says nobody or too much', async () => {
      for (const taskId of ['nope', `bank-${BANK}~7c9e6679-7425-40de-944b-e07fc1f90ae7`, `x~y~1`]) {
        const problem = assertProblem(await post(`/v1/tasks/${taskId}/done`, {}), 400, 'invalid-input');
        assert.deepEqual(problem.errors, [
          { in: 'path', field: 'taskId', message: 'must be a task id from the task list' },
        ]);
      }
      for (const url of [check, done]) {
        for (const body of [{ by: '' }, { by: 'x'.repeat(201) }, { by: 'Ada', at: 'now' }]) {
          assertProblem(await post(url, body), 400, 'invalid-input');
        }
      }
    });
  });

  // Finding 5: 429 was answered but not documented.
  describe('rate limit', () => {
    it('answers 429 with Retry-After, documented with that header on every operation', async () => {
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const documented = (
            operation as { responses: Record<string, { headers?: Record<string, { required?: boolean }> }> }
          ).responses['429'];
          assert.ok(documented, `${method} ${path}: 429 not documented`);
          assert.equal(documented.headers?.['Retry-After']?.required, true, `${method} ${path}`);
        }
      }
      const url = concrete('/v1/banks/{bankGuid}/rotation/completion');
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        // Refused for the permission: the limit counts requests, whatever their answer.
        statuses.push((await send('POST', url, { token: readOnly, on: limited })).status);
      }
      assert.deepEqual(statuses, [403, 403, 429]);
      const refused = await send('POST', url, { token: readOnly, on: limited });
      assertProblem(refused, 429, 'rate-limited');
      assert.match(refused.headers.get('retry-after') ?? '', /^[0-9]+$/);
    });
  });

  // Finding 4 (first half): `email: ""` and `ipAllowlist: [""]` were valid by the document and refused.
  describe('the OpenAPI document says what the validation does', () => {
    const ajv = new Ajv2020({ strict: false });
    /** The body's schema with the document's component references written out. */
    const bodySchema = (path: string): object => {
      const inline = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(inline);
        if (value === null || typeof value !== 'object') return value;
        const ref = (value as { $ref?: string }).$ref?.replace('#/components/schemas/', '');
        if (ref) return inline(document.components.schemas[ref]);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v)]));
      };
      const content = document.paths[path]!.post!.requestBody!.content as Record<string, { schema: object }>;
      return inline(content['application/json']!.schema) as object;
    };

    const cases: [path: string, schema: z.ZodType, body: unknown][] = [
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: '' }] }],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { application: { ipAllowlist: [''] } }],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { application: { ipAllowlist: ['203.0.114.7'] } },
      ],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { application: { ipAllowlist: ['01.2.3.4'] } }],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: 'a@example.com' }] }],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { users: [{ email: 'first.last+x@mail.example.co' }] },
      ],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: 'a..b@example.com' }] }],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: '.a@example.com' }] }],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: 'a@localhost' }] }],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: 'a@-x.com' }] }],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { users: [{ email: `${'a'.repeat(64)}@x.io` }] },
      ],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { users: [{ email: `${'a'.repeat(65)}@x.io` }] },
      ],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { users: [{ email: `${'a.'.repeat(32)}b@x.io` }] },
      ],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { users: [{ email: `a@${'b'.repeat(64)}.io` }] },
      ],
      ['/v1/banks/{bankGuid}/onboarding', OnboardingRequest, { users: [{ email: 'é@example.com' }] }],
      [
        '/v1/banks/{bankGuid}/onboarding',
        OnboardingRequest,
        { users: [{ email: 'a@example.com', allowedScopes: ['users:read', 'users:read'] }] },
      ],
      ['/v1/banks/{bankGuid}/rotation', RotationRequest, { application: { ipAllowlist: ['10.0.0.1'] } }],
      ['/v1/banks/{bankGuid}/rotation', RotationRequest, { application: { ipAllowlist: ['8.8.8.0/24'] } }],
      ['/v1/banks/{bankGuid}/rotation', RotationRequest, { application: { ipAllowlist: ['8.8.8.1/24'] } }],
      ['/v1/banks/{bankGuid}/rotation', RotationRequest, { application: { ipAllowlist: ['100.64.0.0/9'] } }],
      [
        '/v1/banks/{bankGuid}/rotation',
        RotationRequest,
        { application: { ipAllowlist: ['8.8.8.8', '8.8.8.8'] } },
      ],
      ['/v1/banks/{bankGuid}/revocation', RevocationRequest, { reason: '' }],
      ['/v1/banks/{bankGuid}/revocation', RevocationRequest, { reason: '   ' }],
      ['/v1/banks/{bankGuid}/revocation', RevocationRequest, { reason: ' retired ' }],
      ['/v1/user-disablements', UserDisablementRequest, { users: [''], reason: 'left' }],
      ['/v1/user-disablements', UserDisablementRequest, { users: [BANK], reason: 'left' }],
      ['/v1/user-disablements', UserDisablementRequest, { users: ['x@example.com'], reason: 'left' }],
      ['/v1/user-disablements', UserDisablementRequest, { users: ['not-an-email'], reason: 'left' }],
      ['/v1/banks/{bankGuid}/credential', CredentialSubmissionRequest, { clientId: 'c', clientSecret: 's' }],
      ['/v1/banks/{bankGuid}/credential', CredentialSubmissionRequest, { clientId: '', clientSecret: 's' }],
      [
        '/v1/banks/{bankGuid}/credential',
        CredentialSubmissionRequest,
        { clientId: 'c d', clientSecret: 's' },
      ],
      ['/v1/banks/{bankGuid}/credential', CredentialSubmissionRequest, { clientId: 'c', clientSecret: ' ' }],
      [
        '/v1/banks/{bankGuid}/credential',
        CredentialSubmissionRequest,
        { clientId: 'c', clientSecret: ' s ' },
      ],
      [
        '/v1/banks/{bankGuid}/credential',
        CredentialSubmissionRequest,
        { clientId: 'c', clientSecret: 's'.repeat(1025) },
      ],
      [
        '/v1/banks/{bankGuid}/credential',
        CredentialSubmissionRequest,
        { clientId: 'c', clientSecret: 's', by: '\t' },
      ],
      [
        '/v1/banks/{bankGuid}/credential',
        CredentialSubmissionRequest,
        { clientId: 'c', clientSecret: 's', x: 1 },
      ],
      ['/v1/banks/{bankGuid}/tasks/check', TaskActionRequest, {}],
      ['/v1/banks/{bankGuid}/tasks/check', TaskActionRequest, { by: 'Ada' }],
      ['/v1/banks/{bankGuid}/tasks/check', TaskActionRequest, { by: '' }],
      ['/v1/tasks/{taskId}/done', TaskActionRequest, { by: 'x'.repeat(200) }],
      ['/v1/tasks/{taskId}/done', TaskActionRequest, { by: 'x'.repeat(201) }],
    ];
    for (const [path, schema, body] of cases) {
      it(`agrees on ${path.split('/').pop()} ${JSON.stringify(body)}`, () => {
        const byDocument = ajv.validate(bodySchema(path), body);
        const byValidation = schema.safeParse(body).success;
        assert.equal(byDocument, byValidation, `document ${byDocument}, validation ${byValidation}`);
      });
    }
  });
});
