/**
 * The client's token handling against the real sandbox: one token request however many concurrent calls,
 * refresh before expiry and after a 401, a trimmed grant, and one-off credential checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { guidStartingWith, ORG_SCOPES, startIdpTestBed, type IdpTestBed } from './helpers.js';

/** The sandbox issues tokens for 1800 s, as the IdP does. */
const TOKEN_LIFETIME_MS = 1_800_000;

describe('IdP client tokens (sandbox over HTTP)', () => {
  let bed: IdpTestBed;
  before(async () => {
    bed = await startIdpTestBed();
  });
  after(() => bed?.close());

  it('makes exactly one token request for 50 concurrent calls, and reuses it afterwards', async () => {
    const { idp, tokenRequests, apiRequests } = bed.client();
    const lists = await Promise.all(Array.from({ length: 50 }, () => idp.listUsers()));
    assert.equal(lists.length, 50);
    assert.equal(tokenRequests(), 1);
    assert.equal(apiRequests(), 50);
    await idp.listBankApplications();
    assert.equal(tokenRequests(), 1);

    const token = await idp.token();
    assert.equal(token.tokenType, 'Bearer');
    assert.deepEqual([...token.grantedScopes].sort(), [...ORG_SCOPES].sort());
    const expiresIn = token.expiresAt.getTime() - Date.now();
    assert.ok(
      expiresIn > TOKEN_LIFETIME_MS - 60_000 && expiresIn <= TOKEN_LIFETIME_MS,
      `expires in ${expiresIn} ms`,
    );
  });

  it('refreshes the token once it is within tokenRefreshMarginMs of expiry', async () => {
    const eager = bed.client({ tokenRefreshMarginMs: TOKEN_LIFETIME_MS });
    for (let i = 0; i < 3; i++) await eager.idp.listUsers();
    assert.equal(eager.tokenRequests(), 3, 'a token always within the margin is replaced on every call');

    const tenSecondsOfUse = bed.client({ tokenRefreshMarginMs: TOKEN_LIFETIME_MS - 10_000 });
    for (let i = 0; i < 3; i++) await tenSecondsOfUse.idp.listUsers();
    assert.equal(tenSecondsOfUse.tokenRequests(), 1);
  });

  it('refreshes once and retries once when the cached token is refused with 401', async () => {
    let forgeNext = false;
    const client = bed.client({
      tamper: {
        request: (request) => {
          if (!forgeNext || !new URL(request.url).pathname.startsWith('/api/')) return request;
          forgeNext = false;
          const headers = new Headers(request.headers);
          headers.set('authorization', 'Bearer tampered.cached.token');
          return new Request(request, { headers });
        },
      },
    });
    await client.idp.listUsers();
    forgeNext = true;
    const list = await client.idp.listUsers();
    assert.ok(Array.isArray(list.objects));
    assert.deepEqual(
      client.exchanges.map((e) => `${e.method} ${e.path} ${e.status}`),
      [
        'POST /oauth/token 200',
        'GET /api/users 200',
        'GET /api/users 401',
        'POST /oauth/token 200',
        'GET /api/users 200',
      ],
    );
  });

  it('refreshes after its application was deleted, and then fails for good with the token endpoint’s 401', async () => {
    const org = bed.client();
    const app = await org.idp.createOrganizationApplication({ name: 'short-lived' });
    const doomed = bed.client({ clientId: app.client_id, clientSecret: app.secret, scopes: ['users:read'] });
    await doomed.idp.listUsers();
    await org.idp.deleteOrganizationApplication(app.client_id);
    await bed.rejectsWith(doomed.idp.listUsers(), {
      type: 'IdpUnauthorized',
      status: 401,
      messageCode: 'invalid_client',
      operation: 'token',
      retryable: false,
    });
    assert.equal(doomed.tokenRequests(), 2);
    assert.equal(doomed.apiRequests(), 2);
  });

  it('keeps a grant the IdP trimmed: the operations it allows run, the others are judged per operation', async () => {
    bed.setFaults({ dropScopes: ['users:write', 'users:execute'] });
    try {
      const { idp, apiRequests, tokenRequests } = bed.client();
      assert.ok(Array.isArray((await idp.listUsers()).objects));
      const token = await idp.token();
      assert.deepEqual(
        [...token.grantedScopes].sort(),
        ORG_SCOPES.filter((s) => s !== 'users:write' && s !== 'users:execute').sort(),
      );
      await bed.rejectsWith(idp.disableUser(guidStartingWith('d')), {
        type: 'IdpWriteNotPermitted',
        operation: 'disableUser',
        missingScopes: ['users:execute'],
      });
      assert.equal(apiRequests(), 1);
      assert.equal(tokenRequests(), 1, 'the trimmed token is cached like any other');
    } finally {
      bed.setFaults({ dropScopes: [] });
    }
  });

  describe('exchangeClientCredentials', () => {
    it('reports granted scopes and expiry of a new credential, never the token, and leaves the cache alone', async () => {
      const org = bed.client();
      await org.idp.listUsers();
      const app = await org.idp.createBankApplication({
        name: 'verify-me',
        bank_guid: guidStartingWith('e'),
      });
      const check = await org.idp.exchangeClientCredentials({
        clientId: app.client_id,
        clientSecret: app.secret,
        scopes: ['banks:read', 'customers:write'],
      });
      assert.deepEqual(check.grantedScopes.sort(), ['banks:read', 'customers:write']);
      assert.ok(check.expiresAt.getTime() > Date.now() + TOKEN_LIFETIME_MS - 60_000);
      assert.deepEqual(Object.keys(check).sort(), ['expiresAt', 'grantedScopes']);
      for (const secret of bed.secrets) assert.equal(JSON.stringify(check).includes(secret), false);
      assert.equal(org.tokenRequests(), 2);
      await org.idp.listUsers();
      assert.equal(org.tokenRequests(), 2, "the organization's cached token is still used");
    });

    it('returns the grant as is when the IdP drops scopes: judging it is the caller’s job', async () => {
      const org = bed.client();
      const app = await org.idp.createBankApplication({ name: 'dropped', bank_guid: guidStartingWith('e') });
      bed.setFaults({ dropScopes: ['customers:write'] });
      try {
        const check = await org.idp.exchangeClientCredentials({
          clientId: app.client_id,
          clientSecret: app.secret,
          scopes: ['banks:read', 'customers:write'],
        });
        assert.deepEqual(check.grantedScopes, ['banks:read']);
      } finally {
        bed.setFaults({ dropScopes: [] });
      }
    });

    it('classifies refused credentials and refused scopes', async () => {
      const org = bed.client();
      const app = await org.idp.createBankApplication({ name: 'refused', bank_guid: guidStartingWith('e') });
      const wrongSecret = `${app.secret}-wrong`;
      bed.secrets.add(wrongSecret);
      await bed.rejectsWith(
        org.idp.exchangeClientCredentials({
          clientId: app.client_id,
          clientSecret: wrongSecret,
          scopes: ['banks:read'],
        }),
        {
          type: 'IdpUnauthorized',
          status: 401,
          messageCode: 'invalid_client',
          operation: 'exchangeClientCredentials',
        },
      );
      await bed.rejectsWith(
        org.idp.exchangeClientCredentials({
          clientId: app.client_id,
          clientSecret: app.secret,
          scopes: ['users:read'],
        }),
        { type: 'IdpBadRequest', status: 400, messageCode: 'invalid_scope', retryable: false },
      );
    });
  });
});
