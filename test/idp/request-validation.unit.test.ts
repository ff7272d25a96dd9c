/**
 * Requests the IdP would refuse are refused by the client first: a non-retryable IdpRequestInvalid and no
 * HTTP call at all (not even for a token). The fetch here only counts; it is never meant to be reached.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIdpClient, type IdpClient } from '../../src/idp/client.js';
import { IdpError, applicationFailureUnlessCancelled } from '../../src/idp/errors.js';

const CLIENT_SECRET = 'org-secret-that-must-not-leak-0123456789';

function offlineClient() {
  let calls = 0;
  const client = createIdpClient({
    baseUrl: 'http://127.0.0.1:9',
    clientId: 'org-client',
    clientSecret: CLIENT_SECRET,
    scopes: ['users:read'],
    fetch: () => {
      calls++;
      return Promise.reject(new Error('no HTTP call expected'));
    },
  });
  return { client, calls: () => calls };
}

const guid = 'a'.repeat(32);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const invalidCalls: [string, string, (c: IdpClient) => Promise<unknown>][] = [
  ['createUser', 'email', (c) => c.createUser({ email: '' })],
  ['createUser', 'allowed_scopes', (c) => c.createUser({ email: 'a@b.c', allowed_scopes: [] })],
  [
    'createUser',
    'allowed_scopes.0',
    (c) => c.createUser({ email: 'a@b.c', allowed_scopes: ['not:a_scope' as 'openid'] }),
  ],
  [
    'updateUser',
    'allowed_scopes',
    (c) => c.updateUser(guid, { allowed_scopes: ['users:read', 'users:read'] }),
  ],
  ['getUser', 'userGuid', (c) => c.getUser('')],
  ['disableUser', 'userGuid', (c) => c.disableUser('')],
  ['createBankApplication', 'name', (c) => c.createBankApplication({ name: 'x'.repeat(129) })],
  ['createBankApplication', 'bank_guid', (c) => c.createBankApplication({ name: 'app', bank_guid: 'short' })],
  [
    'createBankApplication',
    'ip_allowlist.0',
    (c) => c.createBankApplication({ name: 'app', ip_allowlist: ['10.0.0.1'] }),
  ],
  [
    'createBankApplication',
    'expires_at',
    (c) => c.createBankApplication({ name: 'app', expires_at: 'tomorrow' }),
  ],
  ['createOrganizationApplication', 'name', (c) => c.createOrganizationApplication({ name: '' })],
  [
    'updateBankApplication',
    'ip_allowlist.0',
    (c) => c.updateBankApplication('id', { ip_allowlist: ['::1'] }),
  ],
  ['updateOrganizationApplication', 'name', (c) => c.updateOrganizationApplication('id', { name: '' })],
  ['getBankApplication', 'clientId', (c) => c.getBankApplication('')],
  ['deleteOrganizationApplication', 'clientId', (c) => c.deleteOrganizationApplication('')],
  ['listUsers', 'perPage', (c) => c.listUsers({ perPage: 101 })],
  ['listUsers', 'guids', (c) => c.listUsers({ guids: [] })],
  ['listBankApplications', 'page', (c) => c.listBankApplications({ page: -1 })],
  ['listOrganizationApplications', 'perPage', (c) => c.listOrganizationApplications({ perPage: 0 })],
  [
    'createCustomerToken',
    'scopes.0',
    (c) => c.createCustomerToken({ customer_guid: guid, scopes: ['users:read'] }),
  ],
  [
    'exchangeClientCredentials',
    'client_secret',
    (c) => c.exchangeClientCredentials({ clientId: 'x', clientSecret: '', scopes: ['banks:read'] }),
  ],
];

describe('client-side request validation', () => {
  for (const [operation, field, invoke] of invalidCalls) {
    it(`${operation} refuses a bad ${field} without any HTTP call`, async () => {
      const { client, calls } = offlineClient();
      await assert.rejects(invoke(client), (err) => {
        assert.ok(err instanceof IdpError, `not an IdpError: ${String(err)}`);
        assert.equal(err.type, 'IdpRequestInvalid');
        assert.equal(err.retryable, false);
        assert.equal(err.operation, operation);
        assert.match(err.message, new RegExp(`^${operation} request is invalid: .*${escapeRegExp(field)}: `));
        assert.equal(applicationFailureUnlessCancelled(err).nonRetryable, true);
        assert.equal(String(err.stack).includes(CLIENT_SECRET), false);
        return true;
      });
      assert.equal(calls(), 0);
    });
  }

  it('validates list queries of listAll* before the first page', async () => {
    const { client, calls } = offlineClient();
    await assert.rejects(client.listAllUsers({ guids: ['a,b'] }).next(), { type: 'IdpRequestInvalid' });
    assert.equal(calls(), 0);
  });

  it('refuses a malformed base URL at creation', () => {
    assert.throws(() =>
      createIdpClient({ baseUrl: 'not a url', clientId: 'x', clientSecret: CLIENT_SECRET, scopes: [] }),
    );
  });
});
