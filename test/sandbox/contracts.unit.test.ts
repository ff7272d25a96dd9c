/**
 * The sandbox's two contracts: v0.129.1425 (the default: API keys only read, the Portal writes, applications
 * carry guid and expires_at) and v0.129.899 (API keys write, as before).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { resolveContract } from '../../src/dev/sandbox/contracts.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import {
  Application,
  ApplicationWithSecret,
  CustomerToken,
  TokenResponse,
} from '../../src/model/idp-schemas.js';
import { API_KEY_WITHHELD_SCOPES, APPLICATION_SCOPES } from '../../src/model/idp-scopes.js';
import { assertError, call, guid, orgToken, seedCustomer, tokenFor, type Answer } from './support.js';

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();
const GUID = /^[0-9a-f]{32}$/;

async function portalToken(sandbox: RunningSandbox): Promise<string> {
  const answer = await call(sandbox, 'POST', '/__sandbox/portal-token');
  assert.equal(answer.status, 200, answer.text);
  return (answer.body as { access_token: string }).access_token;
}

/** Every write of the API, with a body that would be valid, against existing resources. */
function writes(clientId: string, userGuid: string, bankGuid: string) {
  return [
    {
      method: 'POST',
      path: '/api/bank_applications',
      scope: 'bank_applications:execute',
      body: { name: 'n', bank_guid: bankGuid, expires_at: inADay() },
    },
    {
      method: 'PATCH',
      path: `/api/bank_applications/${clientId}`,
      scope: 'bank_applications:write',
      body: { name: 'n' },
    },
    { method: 'DELETE', path: `/api/bank_applications/${clientId}`, scope: 'bank_applications:execute' },
    {
      method: 'POST',
      path: '/api/organization_applications',
      scope: 'organization_applications:execute',
      body: { name: 'n', expires_at: inADay() },
    },
    {
      method: 'PATCH',
      path: `/api/organization_applications/${clientId}`,
      scope: 'organization_applications:write',
      body: { name: 'n' },
    },
    {
      method: 'DELETE',
      path: `/api/organization_applications/${clientId}`,
      scope: 'organization_applications:execute',
    },
    { method: 'POST', path: '/api/users', scope: 'users:execute', body: { email: 'w@example.com' } },
    {
      method: 'PATCH',
      path: `/api/users/${userGuid}`,
      scope: 'users:write',
      body: { allowed_scopes: ['users:read'] },
    },
    { method: 'DELETE', path: `/api/users/${userGuid}`, scope: 'users:execute' },
  ] as const;
}

describe('sandbox contract v0.129.1425 (the default)', () => {
  let sandbox: RunningSandbox;
  let portal: string;
  let apiKey: string;
  const bankGuid = guid();
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:' });
    portal = await portalToken(sandbox);
    apiKey = await orgToken(sandbox);
  });
  after(() => sandbox.close());

  const createBankApp = async (body: Record<string, unknown>, token = portal): Promise<Answer> =>
    call(sandbox, 'POST', '/api/bank_applications', { token, body: { bank_guid: bankGuid, ...body } });

  it('is the default', () => {
    assert.equal(sandbox.contract, '0.129.1425');
  });

  it('never grants an API key the write, execute or subscription scopes, asked or not', async () => {
    const { clientId, clientSecret } = sandbox.orgCredentials;
    const all = await tokenFor(sandbox, clientId, clientSecret);
    const granted = all.scope.split(' ');
    for (const scope of API_KEY_WITHHELD_SCOPES) assert.equal(granted.includes(scope), false, scope);
    assert.equal(granted.length, APPLICATION_SCOPES.length - API_KEY_WITHHELD_SCOPES.length);
    assert.ok(granted.includes('transfers:pii:read'), 'the v0.129.1425 enum');

    const mixed = await tokenFor(
      sandbox,
      clientId,
      clientSecret,
      'users:read users:write banks:read subscriptions:read',
    );
    assert.equal(mixed.scope, 'users:read banks:read');
    assert.deepEqual(decodeJwt(mixed.access_token).scope, ['users:read', 'banks:read']);

    const alone = await call(sandbox, 'POST', '/oauth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'users:write',
      },
    });
    assert.equal(alone.status, 400, alone.text);
    assert.equal((alone.body as { error: string }).error, 'invalid_scope');
  });

  it('answers every write by an API-key token 403 invalid_scopes, before looking at the resource or body', async () => {
    const created = ApplicationWithSecret.parse(
      (await createBankApp({ name: 'k', expires_at: inADay() })).body,
    );
    const user = (
      await call(sandbox, 'POST', '/api/users', { token: portal, body: { email: 'u@example.com' } })
    ).body as { guid: string };
    for (const write of writes(created.client_id, user.guid, bankGuid)) {
      const answer = await call(sandbox, write.method, write.path, {
        token: apiKey,
        ...('body' in write ? { body: write.body } : {}),
      });
      assertError(answer, 403, 'invalid_scopes', `Invalid scopes. Required: ${write.scope}`);
    }
    // Reads stay open to it.
    assert.equal(
      (await call(sandbox, 'GET', `/api/bank_applications/${created.client_id}`, { token: apiKey })).status,
      200,
    );
    assert.equal((await call(sandbox, 'GET', `/api/users/${user.guid}`, { token: apiKey })).status, 200);
  });

  it('answers a Portal token: a short-lived Bearer JWT of a person that every write accepts', async () => {
    const answer = await call(sandbox, 'POST', '/__sandbox/portal-token');
    const body = answer.body as { access_token: string; token_type: string; expires_in: number };
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);
    const claims = decodeJwt(body.access_token);
    assert.equal(claims.exp! - claims.iat!, 300);
    assert.match(String(claims.portal_user), GUID);
    assert.equal((await call(sandbox, 'GET', '/__sandbox/portal-token')).status, 405);

    const created = ApplicationWithSecret.parse(
      (await createBankApp({ name: 'p', expires_at: inADay() })).body,
    );
    const user = await call(sandbox, 'POST', '/api/users', {
      token: portal,
      body: { email: 'p@example.com' },
    });
    assert.equal(user.status, 201, user.text);
    const { guid: userGuid } = user.body as { guid: string };
    for (const write of writes(created.client_id, userGuid, bankGuid).filter((w) => w.method !== 'POST')) {
      const done = await call(sandbox, write.method, write.path, {
        token: portal,
        ...('body' in write ? { body: write.body } : {}),
      });
      // The organization-application paths do not know a bank application: 404, past the scope check.
      const expected = write.path.startsWith('/api/organization_applications')
        ? 404
        : write.method === 'DELETE'
          ? 204
          : 200;
      assert.equal(done.status, expected, `${write.method} ${write.path}: ${done.text}`);
    }
  });

  it('answers applications with guid and expires_at, and takes the guid for client_id', async () => {
    const expiresAt = inADay();
    const answer = await createBankApp({ name: 'g', expires_at: expiresAt });
    assert.equal(answer.status, 201, answer.text);
    const created = ApplicationWithSecret.parse(answer.body);
    assert.match(created.guid!, GUID);
    assert.notEqual(created.guid, created.client_id);
    assert.equal(created.expires_at, expiresAt);

    const byGuid = await call(sandbox, 'GET', `/api/bank_applications/${created.guid}`, { token: apiKey });
    assert.equal(byGuid.status, 200, byGuid.text);
    assert.equal(Application.parse(byGuid.body).client_id, created.client_id);
    const list = await call(sandbox, 'GET', `/api/bank_applications?bank_guid=${bankGuid}`, {
      token: apiKey,
    });
    const listed = (list.body as { objects: Application[] }).objects.find(
      (a) => a.client_id === created.client_id,
    );
    assert.equal(listed?.guid, created.guid);
    const renamed = await call(sandbox, 'PATCH', `/api/bank_applications/${created.guid}`, {
      token: portal,
      body: { name: 'h' },
    });
    assert.equal(Application.parse(renamed.body).name, 'h');
    assert.equal(
      (await call(sandbox, 'DELETE', `/api/bank_applications/${created.guid}`, { token: portal })).status,
      204,
    );
    assertError(
      await call(sandbox, 'GET', `/api/bank_applications/${created.client_id}`, { token: apiKey }),
      404,
      'not_found',
    );
  });

  it('refuses an application without expires_at, or with one in the past (422)', async () => {
    assertError(await createBankApp({ name: 'none' }), 422, 'invalid_parameter', /expires_at/);
    const past = new Date(Date.now() - 1000).toISOString();
    assertError(
      await createBankApp({ name: 'past', expires_at: past }),
      422,
      'invalid_parameter',
      /expires_at: must be in the future/,
    );
    assertError(
      await call(sandbox, 'POST', '/api/organization_applications', { token: portal, body: { name: 'o' } }),
      422,
      'invalid_parameter',
      /expires_at/,
    );
  });

  it('takes the v0.129.1425 scope enums', async () => {
    const answer = await call(sandbox, 'POST', '/api/users', {
      token: portal,
      body: { email: 'pii@example.com', allowed_scopes: ['transfers:pii:read'] },
    });
    assert.equal(answer.status, 201, answer.text);
  });

  it('restricts customer tokens to the inherited and the asked allowlists combined', async () => {
    const created = ApplicationWithSecret.parse(
      (await createBankApp({ name: 'c', expires_at: inADay(), ip_allowlist: ['8.8.4.0/24'] })).body,
    );
    const bank = (await tokenFor(sandbox, created.client_id, created.secret, 'customers:write')).access_token;
    const customerGuid = await seedCustomer(sandbox, bankGuid);
    const issue = async (extra: Record<string, unknown>) => {
      const answer = await call(sandbox, 'POST', '/api/customer_tokens', {
        token: bank,
        body: { customer_guid: customerGuid, scopes: ['transfers:pii:read'], ...extra },
      });
      assert.equal(answer.status, 201, answer.text);
      return decodeJwt(CustomerToken.parse(answer.body).access_token).ip_allowlist;
    };
    assert.deepEqual(await issue({}), ['8.8.4.0/24']);
    assert.deepEqual(await issue({ ip_allowlist: ['9.9.9.9'] }), ['8.8.4.0/24', '9.9.9.9']);
    assert.deepEqual(await issue({ inherit_ip_allowlist: false, ip_allowlist: ['9.9.9.9'] }), ['9.9.9.9']);
    assert.deepEqual(await issue({ inherit_ip_allowlist: null, ip_allowlist: null }), ['8.8.4.0/24']);
  });
});

describe('sandbox contract v0.129.899', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: '0.129.899' });
  });
  after(() => sandbox.close());

  it('lets API keys write, without guid in answers or paths, and with the v0.129.899 enums', async () => {
    const token = await orgToken(sandbox);
    const granted = TokenResponse.parse(
      (
        await call(sandbox, 'POST', '/oauth/token', {
          body: {
            grant_type: 'client_credentials',
            client_id: sandbox.orgCredentials.clientId,
            client_secret: sandbox.orgCredentials.clientSecret,
          },
        })
      ).body,
    ).scope.split(' ');
    assert.ok(granted.includes('users:execute'));
    assert.equal(granted.includes('transfers:pii:read'), false);

    const answer = await call(sandbox, 'POST', '/api/bank_applications', {
      token,
      body: { name: 'a', bank_guid: guid() },
    });
    assert.equal(answer.status, 201, answer.text);
    const created = ApplicationWithSecret.parse(answer.body);
    assert.equal('guid' in created, false);
    assert.equal(created.expires_at, null);
    const user = await call(sandbox, 'POST', '/api/users', {
      token,
      body: { email: 'old@example.com', allowed_scopes: ['transfers:pii:read'] },
    });
    assertError(user, 422, 'invalid_parameter', /allowed_scopes/);
  });

  it('serves the Portal token too, and its writes behave alike', async () => {
    const answer = await call(sandbox, 'POST', '/api/users', {
      token: await portalToken(sandbox),
      body: { email: 'portal@example.com' },
    });
    assert.equal(answer.status, 201, answer.text);
  });
});

describe('choosing the contract', () => {
  it('takes the option, then SANDBOX_CONTRACT, else the newest; refuses others by name', () => {
    assert.equal(resolveContract(undefined, {}), '0.129.1425');
    assert.equal(resolveContract(undefined, { SANDBOX_CONTRACT: '' }), '0.129.1425');
    assert.equal(resolveContract(undefined, { SANDBOX_CONTRACT: '0.129.899' }), '0.129.899');
    assert.equal(resolveContract('0.129.1425', { SANDBOX_CONTRACT: '0.129.899' }), '0.129.1425');
    assert.throws(
      () => resolveContract('0.130.0', {}),
      /sandbox contract 0\.130\.0: must be one of 0\.129\.1425, 0\.129\.899/,
    );
  });
});
