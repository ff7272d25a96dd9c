import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { OAuthError, TokenResponse } from '../../src/model/idp-schemas.js';
import { APPLICATION_SCOPES_V0_129_899 as APPLICATION_SCOPES } from '../../src/model/idp-scopes.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { assertError, call, createBankApplication, guid, orgToken, tokenFor } from './support.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

const BANK_SCOPES = APPLICATION_SCOPES.filter(
  (s) => !/^(organization_applications|organizations|users):/.test(s),
);

describe('sandbox POST /oauth/token', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
  });
  after(() => sandbox.close());

  const tokenCall = (body: unknown, headers?: Record<string, string>) =>
    call(sandbox, 'POST', '/oauth/token', { body, headers });
  const org = () => ({
    client_id: sandbox.orgCredentials.clientId,
    client_secret: sandbox.orgCredentials.clientSecret,
  });

  it('issues an organization token: response fields and JWT claims', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await tokenCall({
      grant_type: 'client_credentials',
      ...org(),
      scope: 'users:read banks:read',
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const token = TokenResponse.parse(answer.body);
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.expires_in, 1800);
    assert.equal(token.scope, 'users:read banks:read');
    assert.equal(typeof (answer.body as { created_at: unknown }).created_at, 'number');
    assert.ok(token.created_at >= before && token.created_at <= before + 5);

    const header = decodeProtectedHeader(token.access_token);
    assert.equal(header.alg, 'RS512');
    assert.ok(typeof header.kid === 'string' && header.kid.length > 0);
    const claims = decodeJwt(token.access_token);
    assert.equal(claims.iss, sandbox.url);
    assert.ok(Array.isArray(claims.aud) && claims.aud.includes(sandbox.url));
    assert.match(String(claims.sub), /^[0-9a-f]{32}$/);
    assert.equal(claims.sub_type, 'organization');
    assert.deepEqual(claims.scope, ['users:read', 'banks:read']);
    assert.equal(claims.exp! - claims.iat!, 1800);
    assert.equal(claims.iat, token.created_at);
    assert.match(String(claims.jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(claims.token_type, 'access');
    assert.deepEqual(claims.properties, { type: 'sandbox' });
  });

  it('gives a fresh jti to every token', async () => {
    const a = decodeJwt(await orgToken(sandbox, 'users:read'));
    const b = decodeJwt(await orgToken(sandbox, 'users:read'));
    assert.notEqual(a.jti, b.jti);
  });

  it('grants everything the credential may hold when scope is omitted or blank', async () => {
    for (const scope of [undefined, '', '   ']) {
      const answer = await tokenCall({ grant_type: 'client_credentials', ...org(), scope });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(TokenResponse.parse(answer.body).scope.split(' '), [...APPLICATION_SCOPES]);
    }
  });

  it('collapses repeated and extra whitespace in the requested scope', async () => {
    const answer = await tokenCall({
      grant_type: 'client_credentials',
      ...org(),
      scope: ' users:read  users:read\tbanks:read ',
    });
    assert.equal(TokenResponse.parse(answer.body).scope, 'users:read banks:read');
  });

  it('issues bank tokens to bank applications: sub is the bank, properties type sandbox, bank scope set', async () => {
    const bankGuid = guid();
    const app = await createBankApplication(sandbox, await orgToken(sandbox), bankGuid);
    const answer = await tokenCall({
      grant_type: 'client_credentials',
      client_id: app.client_id,
      client_secret: app.secret,
    });
    assert.equal(answer.status, 200, answer.text);
    const token = TokenResponse.parse(answer.body);
    assert.deepEqual(token.scope.split(' '), BANK_SCOPES);
    const claims = decodeJwt(token.access_token);
    assert.equal(claims.sub, bankGuid);
    assert.equal(claims.sub_type, 'bank');
    assert.deepEqual(claims.properties, { type: 'sandbox' });
  });

  it('answers invalid_scope (400, OAuth2 and ErrorResponse fields) for a scope the credential cannot hold', async () => {
    const app = await createBankApplication(sandbox, await orgToken(sandbox), guid());
    for (const scope of ['banks:read users:read', 'organization_applications:read', 'no_such:scope']) {
      const answer = await tokenCall({
        grant_type: 'client_credentials',
        client_id: app.client_id,
        client_secret: app.secret,
        scope,
      });
      assertError(answer, 400, 'invalid_scope');
      const oauth = OAuthError.parse(answer.body);
      assert.equal(oauth.error, 'invalid_scope');
      assert.match(oauth.error_description ?? '', /users:read|organization_applications:read|no_such:scope/);
      assert.doesNotMatch(answer.text, /banks:read/, 'only the refused scopes are named');
    }
  });

  it('answers invalid_client (401) for a wrong secret, an unknown client or missing credentials', async () => {
    const cases = [
      { client_id: sandbox.orgCredentials.clientId, client_secret: 'wrong' },
      { client_id: 'f'.repeat(32), client_secret: sandbox.orgCredentials.clientSecret },
      { client_id: sandbox.orgCredentials.clientId },
      {},
    ];
    for (const credentials of cases) {
      const answer = await tokenCall({ grant_type: 'client_credentials', ...credentials });
      assertError(answer, 401, 'invalid_client');
      assert.equal(OAuthError.parse(answer.body).error, 'invalid_client');
      assert.ok(!answer.text.includes(sandbox.orgCredentials.clientSecret));
    }
  });

  it('answers invalid_request without grant_type and unsupported_grant_type for other grants', async () => {
    assertError(await tokenCall({ ...org() }), 400, 'invalid_request');
    assertError(await tokenCall({ grant_type: 'password', ...org() }), 400, 'unsupported_grant_type');
    assertError(
      await tokenCall({ grant_type: 'client_credentials', ...org(), scope: 7 }),
      400,
      'invalid_request',
    );
    assertError(await tokenCall(['client_credentials']), 400, 'invalid_request');
  });

  it('accepts HTTP Basic client authentication', async () => {
    const { clientId, clientSecret } = sandbox.orgCredentials;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const answer = await tokenCall(
      { grant_type: 'client_credentials', scope: 'users:read' },
      { authorization: `Basic ${basic}` },
    );
    assert.equal(answer.status, 200, answer.text);
    assert.equal(TokenResponse.parse(answer.body).scope, 'users:read');
    const wrong = Buffer.from(`${clientId}:nope`).toString('base64');
    assertError(
      await tokenCall({ grant_type: 'client_credentials' }, { authorization: `Basic ${wrong}` }),
      401,
      'invalid_client',
    );
  });

  it('accepts form-encoded bodies', async () => {
    const { clientId, clientSecret } = sandbox.orgCredentials;
    const raw = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'users:read users:write',
    });
    const answer = await call(sandbox, 'POST', '/oauth/token', {
      raw: raw.toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(TokenResponse.parse(answer.body).scope, 'users:read users:write');
  });

  it('silently drops the scopes listed in dropScopes', async () => {
    sandbox.setFaults({ dropScopes: ['customers:write', 'users:execute'] });
    try {
      const requested = await tokenCall({
        grant_type: 'client_credentials',
        ...org(),
        scope: 'customers:read customers:write users:execute',
      });
      assert.equal(requested.status, 200, requested.text);
      const token = TokenResponse.parse(requested.body);
      assert.equal(token.scope, 'customers:read');
      assert.deepEqual(decodeJwt(token.access_token).scope, ['customers:read']);

      const everything = TokenResponse.parse(
        (await tokenCall({ grant_type: 'client_credentials', ...org() })).body,
      );
      const granted = everything.scope.split(' ');
      assert.ok(!granted.includes('customers:write') && !granted.includes('users:execute'));
      assert.equal(granted.length, APPLICATION_SCOPES.length - 2);
    } finally {
      sandbox.setFaults({ dropScopes: [] });
    }
    assert.equal(
      TokenResponse.parse(
        (await tokenCall({ grant_type: 'client_credentials', ...org(), scope: 'customers:write' })).body,
      ).scope,
      'customers:write',
    );
  });

  it('refuses the credentials and tokens of a deleted application', async () => {
    const admin = await orgToken(sandbox);
    const app = await createBankApplication(sandbox, admin, guid());
    const { access_token } = await tokenFor(sandbox, app.client_id, app.secret, 'banks:read');
    assert.equal((await call(sandbox, 'GET', '/api/bank_applications', { token: access_token })).status, 200);

    assert.equal(
      (await call(sandbox, 'DELETE', `/api/bank_applications/${app.client_id}`, { token: admin })).status,
      204,
    );
    assertError(
      await call(sandbox, 'GET', '/api/bank_applications', { token: access_token }),
      401,
      'authentication_failed',
    );
    const again = await tokenCall({
      grant_type: 'client_credentials',
      client_id: app.client_id,
      client_secret: app.secret,
    });
    assertError(again, 401, 'invalid_client');
  });

  it('issues organization tokens to organization applications', async () => {
    const admin = await orgToken(sandbox);
    const created = await call(sandbox, 'POST', '/api/organization_applications', {
      token: admin,
      body: { name: 'ops' },
    });
    assert.equal(created.status, 201, created.text);
    const app = created.body as { client_id: string; secret: string };
    const { access_token, scope } = await tokenFor(sandbox, app.client_id, app.secret);
    assert.deepEqual(scope.split(' '), [...APPLICATION_SCOPES]);
    const claims = decodeJwt(access_token);
    assert.equal(claims.sub_type, 'organization');
    assert.equal(claims.sub, decodeJwt(admin).sub, 'same organization');
  });
});
