/**
 * Requests the API must refuse: each gets its status and a problem document of its type (checked against the
 * OpenAPI document too), and none starts a workflow or writes to the IdP. Also: JWTs that are valid work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { ProvisionerClient } from '../../src/client/index.js';
import { startApiServer } from '../../src/api/server.js';
import { sandboxStats } from '../support/idp.js';
import { freePort } from '../support/ports.js';
import { capturingLogger, randomGuid } from '../support/env.js';
import { startIdentityProvider, AUDIENCE, ISSUER } from './jwks.js';
import { assertProblem, createApiWorld, send, type ApiWorld, type RequestOptions } from './support.js';

describe('HTTP API: bad requests change nothing', () => {
  let t: ApiWorld;
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  let all: string;
  let readOnly: string;
  let onboardOnly: string;
  before(async () => {
    idp = await startIdentityProvider();
    t = await createApiWorld({ jwt: { jwksUrl: idp.jwksUrl, issuer: ISSUER, audience: AUDIENCE } });
    all = await t.key(['onboard', 'rotate', 'revoke', 'offboard', 'disable-users', 'read']);
    readOnly = await t.key(['read']);
    onboardOnly = await t.key(['onboard']);
  });
  after(async () => {
    await t?.close();
    await idp?.close();
  });

  const bankGuid = randomGuid();
  const onboarding = `/v1/banks/${bankGuid}/onboarding`;
  const valid = { users: [{ email: 'bad-requests@example.com' }] };
  const start = (token: string | undefined, extra: RequestOptions = {}) => ({
    token,
    body: valid,
    ...extra,
    headers: { 'idempotency-key': randomGuid(), ...extra.headers },
  });

  it('refuses each with its status and problem type, starting nothing and writing nothing to the IdP', async (ctx) => {
    const before = await sandboxStats(t.world);
    const revoked = await t.key(['onboard']);
    await t.world.deps.ledger.revokeApiKey(revoked.slice(5, 21), new Date().toISOString());
    const [keyId] = /^prov_([0-9a-f]{16})_/.exec(all)!.slice(1);
    const cases: [string, () => Promise<Parameters<typeof assertProblem>[0]>, number, string][] = [
      ['no credentials', () => t.request('POST', onboarding, start(undefined)), 401, 'unauthorized'],
      [
        'not a bearer token',
        () => t.request('POST', onboarding, start(undefined, { headers: { authorization: `Basic ${all}` } })),
        401,
        'unauthorized',
      ],
      [
        'an unknown key',
        () => t.request('POST', onboarding, start(`prov_${'0'.repeat(16)}_${'A'.repeat(43)}`)),
        401,
        'unauthorized',
      ],
      [
        'a known key id with a wrong secret',
        () => t.request('POST', onboarding, start(`prov_${keyId}_${'B'.repeat(43)}`)),
        401,
        'unauthorized',
      ],
      [
        'a key revoked a moment ago',
        () => t.request('POST', onboarding, start(revoked)),
        401,
        'unauthorized',
      ],
      [
        'an expired JWT',
        async () =>
          t.request(
            'POST',
            onboarding,
            start(
              await idp.sign({ scope: 'provisioner:onboard', expiresIn: Math.floor(Date.now() / 1000) - 60 }),
            ),
          ),
        401,
        'unauthorized',
      ],
      [
        'a JWT signed with another key',
        async () =>
          t.request(
            'POST',
            onboarding,
            start(await idp.sign({ scope: 'provisioner:onboard' }, await idp.otherKey())),
          ),
        401,
        'unauthorized',
      ],
      [
        'a JWT for another audience',
        async () =>
          t.request(
            'POST',
            onboarding,
            start(await idp.sign({ scope: 'provisioner:onboard', aud: 'another-api' })),
          ),
        401,
        'unauthorized',
      ],
      [
        'a malformed JWT',
        () => t.request('POST', onboarding, start('eyJhbGciOiJSUzI1NiJ9.e30.c2ln')),
        401,
        'unauthorized',
      ],
      [
        'a JWT without the permission',
        async () =>
          t.request('POST', onboarding, start(await idp.sign({ scope: 'provisioner:read openid' }))),
        403,
        'forbidden',
      ],
      [
        'a key without the permission to start',
        () => t.request('POST', onboarding, start(readOnly)),
        403,
        'forbidden',
      ],
      [
        'a key without the permission to read',
        () => t.request('GET', `/v1/banks/${bankGuid}`, { token: onboardOnly }),
        403,
        'forbidden',
      ],
      [
        'malformed JSON',
        () =>
          t.request(
            'POST',
            onboarding,
            start(all, {
              body: undefined,
              rawBody: '{"users": [',
              headers: { 'content-type': 'application/json' },
            }),
          ),
        400,
        'malformed-request',
      ],
      [
        'a bad guid in the path',
        () => t.request('POST', '/v1/banks/not-a-guid/onboarding', start(all)),
        400,
        'invalid-input',
      ],
      [
        'a bad email',
        () => t.request('POST', onboarding, start(all, { body: { users: [{ email: 'not an email' }] } })),
        400,
        'invalid-input',
      ],
      [
        'a field the operation does not have',
        () => t.request('POST', onboarding, start(all, { body: { user: [] } })),
        400,
        'invalid-input',
      ],
      [
        'a revocation without a reason',
        () => t.request('POST', `/v1/banks/${bankGuid}/revocation`, start(all, { body: {} })),
        400,
        'invalid-input',
      ],
      [
        'no Idempotency-Key',
        () => t.request('POST', onboarding, { token: all, body: valid }),
        400,
        'invalid-input',
      ],
      [
        'an oversized body',
        () =>
          t.request(
            'POST',
            onboarding,
            start(all, { body: { users: [{ email: `${'a'.repeat(5 * 1024 * 1024)}@example.com` }] } }),
          ),
        413,
        'payload-too-large',
      ],
      [
        'a body that is not JSON',
        () =>
          t.request(
            'POST',
            onboarding,
            start(all, { body: undefined, rawBody: 'users=a', headers: { 'content-type': 'text/plain' } }),
          ),
        415,
        'unsupported-media-type',
      ],
      ['an unknown route', () => t.request('GET', '/v1/nothing-here', { token: all }), 404, 'not-found'],
      [
        'a wrong method',
        () => t.request('DELETE', `/v1/banks/${bankGuid}`, { token: all }),
        405,
        'method-not-allowed',
      ],
      [
        'a malformed operation id',
        () => t.request('GET', '/v1/operations/nonsense', { token: all }),
        400,
        'invalid-input',
      ],
      [
        'an unknown operation',
        () =>
          t.request('GET', `/v1/operations/bank-${bankGuid}~00000000-0000-4000-8000-000000000000`, {
            token: all,
          }),
        404,
        'not-found',
      ],
      [
        'completing a rotation that does not run',
        () => t.request('POST', `/v1/banks/${bankGuid}/rotation/completion`, { token: all }),
        404,
        'not-found',
      ],
    ];
    assert.ok(cases.length >= 20);
    for (const [name, send, status, problem] of cases) {
      const response = await send();
      await ctx.test(name, () => {
        const body = assertProblem(response, status, problem);
        assert.ok(String(body.detail).length > 0);
      });
    }

    // Details that help: which field, which header, which methods.
    const badEmail = await t.request(
      'POST',
      onboarding,
      start(all, { body: { users: [{ email: 'nope' }] } }),
    );
    assert.deepEqual(
      (assertProblem(badEmail, 400, 'invalid-input').errors as { in: string; field: string }[]).map((e) => [
        e.in,
        e.field,
      ]),
      [['body', 'users.0.email']],
    );
    const wrongMethod = await t.request('DELETE', `/v1/banks/${bankGuid}`, { token: all });
    assert.equal(wrongMethod.headers.get('allow'), 'GET, HEAD');
    const unauthorized = await t.request('GET', `/v1/banks/${bankGuid}`, {});
    assert.match(unauthorized.headers.get('www-authenticate') ?? '', /^Bearer /);

    const afterwards = await sandboxStats(t.world);
    assert.deepEqual(afterwards.writes, before.writes, 'no IdP write');
    assert.equal(
      await t.world.client.client.workflow.count(`TaskQueue = '${t.world.taskQueue}'`).then((c) => c.count),
      0,
      'no workflow started',
    );
    assert.deepEqual(t.audit(), [], 'nothing was accepted');
  });

  it('accepts a valid JWT with the permission in its scope, and audits its subject (hashed when it is an email)', async () => {
    const service = await idp.sign({ scope: 'provisioner:read' });
    assert.equal((await t.request('GET', `/v1/banks/${randomGuid()}`, { token: service })).status, 200);
    const person = await idp.sign({ scope: 'provisioner:read', sub: 'someone@example.com' });
    assert.equal((await t.request('GET', `/v1/banks/${randomGuid()}`, { token: person })).status, 200);
    assert.deepEqual(
      t.audit().map((line) => String(line.principal).replace(/[0-9a-f]{16}$/, 'H')),
      ['jwt:onboarding-service', 'jwt:sha256:H'],
    );
  });

  it('answers 503 while Temporal cannot be reached, and keeps nothing: the same key works once it can', async () => {
    const unreachable = new ProvisionerClient({
      connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }),
      namespace: 'default',
      taskQueue: t.world.taskQueue,
      dataConverter: t.world.deps.dataConverter,
    });
    const cutOff = await startApiServer({
      client: unreachable,
      ledger: t.world.deps.ledger,
      secrets: t.world.deps.secrets,
      logger: capturingLogger('info', []),
      rateLimitPerMinute: 100,
      version: 'test',
    });
    try {
      const request = start(all, { headers: { 'idempotency-key': 'while-temporal-is-down' } });
      const path = `/v1/banks/${randomGuid()}/onboarding`;
      const refused = await send(cutOff.url, 'POST', path, request);
      t.checker.check('POST', path, refused);
      assertProblem(refused, 503, 'temporal-unavailable');
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.equal((await t.request('POST', path, request)).status, 202);
    } finally {
      await cutOff.close();
      await unreachable.client.connection.close();
    }
  });

  it('limits the rate per caller with 429 and Retry-After', async () => {
    const limited = await createApiWorld({ rateLimitPerMinute: 2 });
    try {
      const token = await limited.key(['read']);
      const other = await limited.key(['read']);
      const path = `/v1/banks/${randomGuid()}`;
      assert.equal((await limited.request('GET', path, { token })).status, 200);
      assert.equal((await limited.request('GET', path, { token })).status, 200);
      const third = await limited.request('GET', path, { token });
      assertProblem(third, 429, 'rate-limited');
      assert.ok(Number(third.headers.get('retry-after')) > 0);
      assert.equal(
        (await limited.request('GET', path, { token: other })).status,
        200,
        'another key has its own limit',
      );
    } finally {
      await limited.close();
    }
  });
});
