import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT, type JWTPayload } from 'jose';
import { APPLICATION_SCOPES_V0_129_899 as APPLICATION_SCOPES } from '../../src/model/idp-scopes.js';
import { openDatabase } from '../../src/dev/sandbox/db.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { MetaStore } from '../../src/dev/sandbox/meta.js';
import { loadOrCreateSigningKey, type SigningKey } from '../../src/dev/sandbox/tokens.js';
import {
  assertError,
  bankToken,
  call,
  createBankApplication,
  guid,
  orgToken,
  seedCustomer,
} from './support.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

describe('sandbox authentication and check order', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let key: SigningKey;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-auth-'));
    const database = join(dir, 'idp.sqlite');
    sandbox = await startSandbox({ database, contract: WRITING_CONTRACT });
    const db = openDatabase(database);
    try {
      key = loadOrCreateSigningKey(new MetaStore(db)); // the sandbox's own key, to forge precise failures
    } finally {
      db.close();
    }
  });
  after(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A token signed like the sandbox's, with claims overridden. */
  const forge = async (override: JWTPayload, signingKey = key.privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      sub: guid(),
      sub_type: 'organization',
      scope: ['users:read'],
      properties: { type: 'sandbox' },
      client_id: sandbox.orgCredentials.clientId,
      token_type: 'access',
      iss: sandbox.url,
      aud: [sandbox.url],
      iat: now,
      exp: now + 1800,
      jti: randomUUID(),
      ...override,
    })
      .setProtectedHeader({ alg: 'RS512', kid: key.kid })
      .sign(signingKey);
  };
  const listUsers = (headers: Record<string, string>) => call(sandbox, 'GET', '/api/users', { headers });

  it('accepts a forged-alike token (control for the failure cases below)', async () => {
    assert.equal((await listUsers({ authorization: `Bearer ${await forge({})}` })).status, 200);
    assert.equal(
      (await listUsers({ authorization: `bearer ${await forge({})}` })).status,
      200,
      'scheme is case-insensitive',
    );
  });

  it('answers 401 authentication_malformed for a missing or malformed Authorization header', async () => {
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Token abc',
      'Bearer a b',
    ]) {
      const answer = await listUsers(authorization === undefined ? {} : { authorization });
      assertError(answer, 401, 'authentication_malformed', 'Authorization header is malformed.');
    }
  });

  it("answers 401 authentication_failed with the IdP's messages", async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string][] = [
      ['not.a.jwt', 'Signature verification raised'],
      [await forge({}, other), 'Signature verification raised'],
      [await forge({ iat: now - 3600, exp: now - 1800 }), 'Signature has expired'],
      [await forge({ iss: 'https://id.sandbox.cybrid.app' }), 'Invalid issuer'],
      [await forge({ aud: ['https://bank.sandbox.cybrid.app'] }), 'Invalid audience'],
    ];
    for (const [token, message] of cases) {
      assertError(
        await listUsers({ authorization: `Bearer ${token}` }),
        401,
        'authentication_failed',
        message,
      );
    }
  });

  it('checks in order: header → token → subject type → scope → resource → body', async () => {
    const unknownApp = `/api/bank_applications/${guid()}`;
    const badBody = { raw: '{not json', contentType: 'application/json' };
    assertError(await call(sandbox, 'PATCH', unknownApp, badBody), 401, 'authentication_malformed');
    assertError(
      await call(sandbox, 'PATCH', unknownApp, { ...badBody, token: 'x.y.z' }),
      401,
      'authentication_failed',
    );

    const noScope = await orgToken(sandbox, 'users:read');
    assertError(
      await call(sandbox, 'PATCH', unknownApp, { ...badBody, token: noScope }),
      403,
      'invalid_scopes',
    );
    const writer = await orgToken(sandbox, 'bank_applications:write');
    assertError(
      await call(sandbox, 'PATCH', unknownApp, { token: writer, body: { name: '' } }),
      404,
      'not_found',
      'application not found',
    );
    const app = await createBankApplication(sandbox, await orgToken(sandbox), guid());
    assertError(
      await call(sandbox, 'PATCH', `/api/bank_applications/${app.client_id}`, {
        token: writer,
        body: { name: '' },
      }),
      422,
      'invalid_parameter',
    );

    // Subject type comes before scope: an organization token without customers:write still gets invalid_subject.
    assertError(
      await call(sandbox, 'POST', '/api/customer_tokens', { token: noScope, body: {} }),
      401,
      'invalid_subject',
      'Invalid Subject type. Required: bank',
    );
  });

  describe('scope quirks: each operation needs exactly its scope', () => {
    interface Operation {
      method: string;
      path: () => Promise<string>;
      scope: string;
      body?: () => unknown;
      success: number;
    }
    const bankApp = async () =>
      `/api/bank_applications/${(await createBankApplication(sandbox, await orgToken(sandbox), guid())).client_id}`;
    const orgApp = async () => {
      const created = await call(sandbox, 'POST', '/api/organization_applications', {
        token: await orgToken(sandbox),
        body: { name: 'o' },
      });
      return `/api/organization_applications/${(created.body as { client_id: string }).client_id}`;
    };
    const user = async () => {
      const created = await call(sandbox, 'POST', '/api/users', {
        token: await orgToken(sandbox),
        body: { email: `${guid()}@example.com` },
      });
      return `/api/users/${(created.body as { guid: string }).guid}`;
    };
    const fixed = (path: string) => () => Promise.resolve(path);
    const operations: Operation[] = [
      { method: 'GET', path: fixed('/api/bank_applications'), scope: 'banks:read', success: 200 },
      {
        method: 'POST',
        path: fixed('/api/bank_applications'),
        scope: 'bank_applications:execute',
        body: () => ({ name: 'n', bank_guid: guid() }),
        success: 201,
      },
      { method: 'GET', path: bankApp, scope: 'bank_applications:read', success: 200 },
      {
        method: 'PATCH',
        path: bankApp,
        scope: 'bank_applications:write',
        body: () => ({ name: 'm' }),
        success: 200,
      },
      { method: 'DELETE', path: bankApp, scope: 'bank_applications:execute', success: 204 },
      {
        method: 'GET',
        path: fixed('/api/organization_applications'),
        scope: 'organizations:read',
        success: 200,
      },
      {
        method: 'POST',
        path: fixed('/api/organization_applications'),
        scope: 'organization_applications:execute',
        body: () => ({ name: 'n' }),
        success: 201,
      },
      { method: 'GET', path: orgApp, scope: 'organization_applications:read', success: 200 },
      {
        method: 'PATCH',
        path: orgApp,
        scope: 'organization_applications:write',
        body: () => ({ name: 'm' }),
        success: 200,
      },
      { method: 'DELETE', path: orgApp, scope: 'organization_applications:execute', success: 204 },
      { method: 'GET', path: fixed('/api/users'), scope: 'users:read', success: 200 },
      {
        method: 'POST',
        path: fixed('/api/users'),
        scope: 'users:execute',
        body: () => ({ email: `${guid()}@example.com` }),
        success: 201,
      },
      { method: 'GET', path: user, scope: 'users:read', success: 200 },
      {
        method: 'PATCH',
        path: user,
        scope: 'users:write',
        body: () => ({ allowed_scopes: ['users:read'] }),
        success: 200,
      },
      { method: 'DELETE', path: user, scope: 'users:execute', success: 204 },
    ];
    for (const op of operations) {
      it(`${op.method} ${op.scope}`, async () => {
        const allButRequired = APPLICATION_SCOPES.filter((s) => s !== op.scope).join(' ');
        const denied = await call(sandbox, op.method, await op.path(), {
          token: await orgToken(sandbox, allButRequired),
          body: op.body?.(),
        });
        assertError(denied, 403, 'invalid_scopes', `Invalid scopes. Required: ${op.scope}`);
        const allowed = await call(sandbox, op.method, await op.path(), {
          token: await orgToken(sandbox, op.scope),
          body: op.body?.(),
        });
        assert.equal(allowed.status, op.success, allowed.text);
      });
    }

    it('POST customer_tokens needs customers:write (customers:read is not required)', async () => {
      const bankGuid = guid();
      const body = { customer_guid: await seedCustomer(sandbox, bankGuid), scopes: ['customers:read'] };
      const withoutWrite = await bankToken(sandbox, bankGuid, 'customers:read banks:read');
      assertError(
        await call(sandbox, 'POST', '/api/customer_tokens', { token: withoutWrite, body }),
        403,
        'invalid_scopes',
        'Invalid scopes. Required: customers:write',
      );
      const onlyWrite = await bankToken(sandbox, bankGuid, 'customers:write');
      assert.equal(
        (await call(sandbox, 'POST', '/api/customer_tokens', { token: onlyWrite, body })).status,
        201,
      );
    });

    it('customer tokens hold no IdP scope', async () => {
      const bankGuid = guid();
      const bank = await bankToken(sandbox, bankGuid, 'customers:write');
      const created = await call(sandbox, 'POST', '/api/customer_tokens', {
        token: bank,
        body: { customer_guid: await seedCustomer(sandbox, bankGuid), scopes: ['customers:read'] },
      });
      assert.equal(created.status, 201, created.text);
      const customer = (created.body as { access_token: string }).access_token;
      assertError(
        await call(sandbox, 'GET', '/api/bank_applications', { token: customer }),
        403,
        'invalid_scopes',
      );
    });
  });
});
