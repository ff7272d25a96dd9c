/**
 * Contract tests of every IdP client method against the real sandbox over HTTP: success shapes and every
 * documented status code, classified into IdpErrors free of secrets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isConflict, isNotFound, applicationFailureUnlessCancelled } from '../../src/idp/errors.js';
import { guidStartingWith, rawRequest, startIdpTestBed, uniqueEmail, type IdpTestBed } from './helpers.js';

const bankGuid = guidStartingWith('b');
const unknownId = guidStartingWith('0');

describe('IdP client endpoints (sandbox over HTTP)', () => {
  let bed: IdpTestBed;
  let org: ReturnType<IdpTestBed['client']>;
  before(async () => {
    bed = await startIdpTestBed();
    org = bed.client();
  });
  after(() => bed?.close());

  describe('bank applications', () => {
    it('creates, gets, updates, lists and deletes', async () => {
      const created = await org.idp.createBankApplication({
        name: 'bank-app',
        bank_guid: bankGuid,
        ip_allowlist: ['203.0.114.7'],
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      });
      assert.equal(typeof created.secret, 'string');
      assert.ok(created.secret.length > 0);
      assert.equal(created.name, 'bank-app');
      assert.deepEqual(created.ip_allowlist, ['203.0.114.7']);
      assert.ok(created.scopes.includes('banks:read'));

      const fetched = await org.idp.getBankApplication(created.client_id);
      assert.equal(fetched.client_id, created.client_id);
      assert.equal('secret' in fetched, false);

      const updated = await org.idp.updateBankApplication(created.client_id, {
        name: 'renamed',
        ip_allowlist: [],
      });
      assert.equal(updated.name, 'renamed');
      assert.deepEqual(updated.ip_allowlist, []);

      const list = await org.idp.listBankApplications({ bankGuid, page: 0, perPage: 10 });
      assert.equal(list.total, 1);
      assert.equal(list.per_page, 10);
      assert.equal(list.objects[0]!.client_id, created.client_id);
      const all = [];
      for await (const app of org.idp.listAllBankApplications({ bankGuid })) all.push(app.client_id);
      assert.deepEqual(all, [created.client_id]);

      assert.equal(await org.idp.deleteBankApplication(created.client_id), undefined);
      await bed.rejectsWith(org.idp.getBankApplication(created.client_id), {
        type: 'IdpNotFound',
        status: 404,
        messageCode: 'not_found',
        operation: 'getBankApplication',
      });
      assert.equal((await org.idp.listBankApplications({ bankGuid })).total, 0);
    });

    it('answers 404 for unknown applications on get, update and delete', async () => {
      const calls = [
        () => org.idp.getBankApplication(unknownId),
        () => org.idp.updateBankApplication(unknownId, { name: 'x' }),
        () => org.idp.deleteBankApplication(unknownId),
      ];
      for (const call of calls) {
        const err = await bed.rejectsWith(call(), { type: 'IdpNotFound', status: 404, retryable: false });
        assert.ok(isNotFound(err));
      }
    });

    it('surfaces a server-side 422 the client cannot foresee (organization token without bank_guid)', async () => {
      const err = await bed.rejectsWith(org.idp.createBankApplication({ name: 'no-bank' }), {
        type: 'IdpValidationError',
        status: 422,
        retryable: false,
        operation: 'createBankApplication',
      });
      assert.match(err.message, /^createBankApplication failed: 422 \S+ \(.*bank_guid/);
    });
  });

  describe('organization applications', () => {
    it('creates, gets, updates, lists and deletes', async () => {
      const created = await org.idp.createOrganizationApplication({ name: 'org-app' });
      assert.ok(created.secret.length > 0);
      assert.deepEqual(created.ip_allowlist, []);
      assert.equal((await org.idp.getOrganizationApplication(created.client_id)).name, 'org-app');
      const updated = await org.idp.updateOrganizationApplication(created.client_id, {
        ip_allowlist: ['198.51.101.0/24'],
      });
      assert.deepEqual(updated.ip_allowlist, ['198.51.101.0/24']);
      assert.equal(updated.name, 'org-app', 'an omitted name is kept');

      const listed = await org.idp.listOrganizationApplications({ perPage: 100 });
      assert.ok(listed.objects.some((a) => a.client_id === created.client_id));
      const all = [];
      for await (const app of org.idp.listAllOrganizationApplications()) all.push(app.client_id);
      assert.ok(all.includes(created.client_id));

      await org.idp.deleteOrganizationApplication(created.client_id);
      await bed.rejectsWith(org.idp.deleteOrganizationApplication(created.client_id), {
        type: 'IdpNotFound',
        status: 404,
        operation: 'deleteOrganizationApplication',
      });
    });
  });

  describe('users', () => {
    it('creates (with invite URL), gets, updates, filters by guid and disables', async () => {
      const email = uniqueEmail('user');
      const created = await org.idp.createUser({ email, allowed_scopes: ['users:read'] });
      assert.equal(created.email, email);
      assert.equal(typeof created.invite_url, 'string');
      assert.deepEqual(created.allowed_scopes, ['users:read']);

      const fetched = await org.idp.getUser(created.guid);
      assert.equal(fetched.email, email);
      assert.ok(!fetched.invite_url, 'the invite URL is returned only on creation');

      const updated = await org.idp.updateUser(created.guid, {
        allowed_scopes: ['users:read', 'banks:read'],
      });
      assert.deepEqual(updated.allowed_scopes, ['users:read', 'banks:read']);

      const other = await org.idp.createUser({ email: uniqueEmail('other') });
      const filtered = await org.idp.listUsers({ guids: [created.guid, other.guid] });
      assert.deepEqual(filtered.objects.map((u) => u.guid).sort(), [created.guid, other.guid].sort());
      assert.equal(filtered.total, 2);

      assert.equal(await org.idp.disableUser(created.guid), undefined);
      assert.equal((await org.idp.getUser(created.guid)).guid, created.guid, 'a disabled user is kept');
    });

    it('answers 409 for a duplicate email, mapped to a non-retryable failure', async () => {
      const email = uniqueEmail('dup');
      await org.idp.createUser({ email });
      const err = await bed.rejectsWith(org.idp.createUser({ email }), {
        type: 'IdpConflict',
        status: 409,
        retryable: false,
        operation: 'createUser',
      });
      assert.ok(isConflict(err));
      const failure = applicationFailureUnlessCancelled(err);
      assert.equal(failure.type, 'IdpConflict');
      assert.equal(failure.nonRetryable, true);
      assert.equal(failure.message, `createUser failed: 409 ${err.messageCode} (${err.errorMessage})`);
      assert.deepEqual(failure.details, [
        { status: 409, messageCode: err.messageCode, operation: 'createUser' },
      ]);
    });

    it('answers 404 for unknown users on get, update and disable', async () => {
      const calls = [
        ['getUser', () => org.idp.getUser(unknownId)],
        ['updateUser', () => org.idp.updateUser(unknownId, { allowed_scopes: ['users:read'] })],
        ['disableUser', () => org.idp.disableUser(unknownId)],
      ] as const;
      for (const [operation, call] of calls) {
        await bed.rejectsWith(call(), {
          type: 'IdpNotFound',
          status: 404,
          messageCode: 'not_found',
          operation,
        });
      }
    });

    it('answers 422 from the server when validation is bypassed', async () => {
      const { accessToken } = await org.idp.token();
      const { status, body } = await rawRequest(bed, 'POST', '/api/users', {
        token: accessToken,
        json: { email: '' },
      });
      assert.equal(status, 422);
      assert.equal(body.status, 422);
      assert.equal(typeof body.message_code, 'string');
      // The client refuses the same request itself, before any HTTP call.
      const before = org.exchanges.length;
      await bed.rejectsWith(org.idp.createUser({ email: '' }), {
        type: 'IdpRequestInvalid',
        retryable: false,
      });
      assert.equal(org.exchanges.length, before);
    });

    it('answers 400 from the server for an out-of-range page size when validation is bypassed', async () => {
      const { accessToken } = await org.idp.token();
      const { status, body } = await rawRequest(bed, 'GET', '/api/users?per_page=101', {
        token: accessToken,
      });
      assert.equal(status, 400);
      assert.equal(body.status, 400);
      await bed.rejectsWith(org.idp.listUsers({ perPage: 101 }), { type: 'IdpRequestInvalid' });
    });
  });

  describe('customer tokens', () => {
    it('are minted by bank tokens, refused to organization tokens (401) and for unknown customers (422)', async () => {
      const app = await org.idp.createBankApplication({ name: 'customer-minter', bank_guid: bankGuid });
      const bank = bed.client({
        clientId: app.client_id,
        clientSecret: app.secret,
        scopes: ['customers:write'],
      });

      const seeded = await fetch(`${bed.sandbox.url}/__sandbox/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ bank_guid: bankGuid }),
      });
      const customer = ((await seeded.json()) as { guid: string }).guid;
      const minted = await bank.idp.createCustomerToken({
        customer_guid: customer,
        scopes: ['customers:read'],
      });
      assert.equal(typeof minted.access_token, 'string');
      bed.secrets.add(minted.access_token);

      await bed.rejectsWith(
        bank.idp.createCustomerToken({ customer_guid: guidStartingWith('c'), scopes: ['customers:read'] }),
        {
          type: 'IdpValidationError',
          status: 422,
          messageCode: 'no_customer',
          operation: 'createCustomerToken',
        },
      );
      await bed.rejectsWith(
        org.idp.createCustomerToken({ customer_guid: customer, scopes: ['customers:read'] }),
        {
          type: 'IdpUnauthorized',
          status: 401,
          messageCode: 'invalid_subject',
          retryable: false,
        },
      );
    });
  });

  describe('authentication and authorization', () => {
    it('answers 401 to a bad bearer token (raw), and the client surfaces a persistent 401 after one refresh', async () => {
      const raw = await rawRequest(bed, 'GET', '/api/users', { token: 'not.a.token' });
      assert.equal(raw.status, 401);
      assert.equal(raw.body.status, 401);

      const forged = bed.client({
        tamper: {
          request: (request) => {
            if (!new URL(request.url).pathname.startsWith('/api/')) return request;
            const headers = new Headers(request.headers);
            headers.set('authorization', 'Bearer forged.token.value');
            return new Request(request, { headers });
          },
        },
      });
      await bed.rejectsWith(forged.idp.listUsers(), {
        type: 'IdpUnauthorized',
        status: 401,
        retryable: false,
        operation: 'listUsers',
      });
      assert.equal(forged.tokenRequests(), 2, 'the token is refreshed once on a 401');
      assert.equal(forged.apiRequests(), 2, 'the request is retried once');
    });

    it('answers 403 when the token lacks the scope', async () => {
      const reader = bed.client({ scopes: ['users:read'] });
      assert.ok(Array.isArray((await reader.idp.listUsers()).objects));
      const err = await bed.rejectsWith(reader.idp.createUser({ email: uniqueEmail('forbidden') }), {
        type: 'IdpForbidden',
        status: 403,
        messageCode: 'invalid_scopes',
        retryable: false,
      });
      assert.match(err.message, /^createUser failed: 403 invalid_scopes \(.*users:execute.*\)$/);
      assert.equal(applicationFailureUnlessCancelled(err).nonRetryable, true);
    });

    it('answers 401 invalid_client for bad credentials at /oauth/token, without the secret in the error', async () => {
      const wrongSecret = 'wrong-secret-value-that-must-not-leak-42';
      bed.secrets.add(wrongSecret);
      const stranger = bed.client({ clientSecret: wrongSecret });
      await bed.rejectsWith(stranger.idp.listUsers(), {
        type: 'IdpUnauthorized',
        status: 401,
        messageCode: 'invalid_client',
        operation: 'token',
      });
      assert.equal(stranger.apiRequests(), 0);
    });
  });

  describe('invalid responses', () => {
    it('names the missing field and never quotes the body', async () => {
      const stripped = bed.client({
        tamper: {
          response: async (request, response) => {
            if (request.method !== 'POST' || !request.url.endsWith('/api/bank_applications')) return response;
            const { secret: _secret, ...rest } = (await response.json()) as Record<string, unknown>;
            return Response.json(rest, { status: response.status });
          },
        },
      });
      const err = await bed.rejectsWith(
        stripped.idp.createBankApplication({ name: 'no-secret', bank_guid: bankGuid }),
        {
          type: 'IdpInvalidResponse',
          retryable: false,
          operation: 'createBankApplication',
        },
      );
      assert.match(
        err.message,
        /^IdP response of createBankApplication is invalid: secret: .*expected string/,
      );
      assert.equal(applicationFailureUnlessCancelled(err).nonRetryable, true);
    });

    it('reports a body that is not JSON', async () => {
      const garbled = bed.client({
        tamper: {
          response: (request, response) =>
            Promise.resolve(
              request.url.includes('/api/users')
                ? new Response('<html>oops</html>', { status: 200 })
                : response,
            ),
        },
      });
      const err = await bed.rejectsWith(garbled.idp.listUsers(), {
        type: 'IdpInvalidResponse',
        operation: 'listUsers',
      });
      assert.equal(err.message.includes('oops'), false);
    });

    it('tolerates extra fields and unknown scope values', async () => {
      const newer = bed.client({
        tamper: {
          response: async (request, response) => {
            if (request.method !== 'GET' || !request.url.includes('/api/organization_applications'))
              return response;
            const list = (await response.json()) as { objects: Record<string, unknown>[] };
            list.objects = list.objects.map((a) => ({
              ...a,
              scopes: ['quantum:teleport'],
              guid: 'f'.repeat(32),
              brand_new: true,
            }));
            return Response.json(list, { status: response.status });
          },
        },
      });
      await org.idp.createOrganizationApplication({ name: 'for-tolerance' });
      const list = await newer.idp.listOrganizationApplications();
      assert.ok(list.objects.length > 0);
      assert.deepEqual(list.objects[0]!.scopes, ['quantum:teleport']);
      assert.equal(list.objects[0]!.brand_new, true);
    });
  });
});
