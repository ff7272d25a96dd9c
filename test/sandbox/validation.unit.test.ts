import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningSandbox } from '../../src/dev/sandbox/index.js';
import { emailOfLength } from '../support/emails.js';
import { assertError, call, createBankApplication, guid, startSandboxWithAdmin } from './support.js';

/** For each request field and limit: just inside is accepted, just outside is 422 naming the field. */
describe('sandbox request validation boundaries', () => {
  let sandbox: RunningSandbox;
  let admin: string;
  before(async () => ({ sandbox, admin } = await startSandboxWithAdmin()));
  after(() => sandbox.close());

  const expect = async (method: string, path: string, body: unknown, status: number, field?: RegExp) => {
    const answer = await call(sandbox, method, path, { token: admin, body });
    if (status === 422) assertError(answer, 422, 'invalid_parameter', field);
    else
      assert.equal(
        answer.status,
        status,
        `${JSON.stringify(body).slice(0, 80)} → ${answer.text.slice(0, 200)}`,
      );
  };
  const email = (length: number) => emailOfLength(length, guid());

  it('PostBankApplication: name 1..128', async () => {
    const bank = guid();
    await expect('POST', '/api/bank_applications', { name: 'a', bank_guid: bank }, 201);
    await expect('POST', '/api/bank_applications', { name: 'a'.repeat(128), bank_guid: bank }, 201);
    await expect('POST', '/api/bank_applications', { name: '', bank_guid: bank }, 422, /^name: .*1/);
    await expect(
      'POST',
      '/api/bank_applications',
      { name: 'a'.repeat(129), bank_guid: bank },
      422,
      /^name: .*128/,
    );
    await expect('POST', '/api/bank_applications', { bank_guid: bank }, 422, /^name/);
    await expect('POST', '/api/bank_applications', { name: 5, bank_guid: bank }, 422, /^name/);
  });

  it('PostBankApplication: bank_guid exactly 32 lowercase hex', async () => {
    await expect('POST', '/api/bank_applications', { name: 'n', bank_guid: 'a'.repeat(32) }, 201);
    await expect(
      'POST',
      '/api/bank_applications',
      { name: 'n', bank_guid: 'a'.repeat(31) },
      422,
      /bank_guid.*32/,
    );
    await expect(
      'POST',
      '/api/bank_applications',
      { name: 'n', bank_guid: 'a'.repeat(33) },
      422,
      /bank_guid.*32/,
    );
    await expect(
      'POST',
      '/api/bank_applications',
      { name: 'n', bank_guid: 'A'.repeat(32) },
      422,
      /bank_guid/,
    );
  });

  it('ip_allowlist: public IPv4/CIDR, unique; [] accepted', async () => {
    const bank = guid();
    const post = (ip_allowlist: unknown, status: number) =>
      expect(
        'POST',
        '/api/bank_applications',
        { name: 'n', bank_guid: bank, ip_allowlist },
        status,
        /ip_allowlist/,
      );
    await post([], 201);
    await post(['203.0.114.7', '198.51.101.0/24', '8.8.8.8/32'], 201);
    await post(['10.0.0.1'], 422);
    await post(['192.168.1.0/24'], 422);
    await post(['203.0.114.7', '203.0.114.7'], 422);
    await post(['203.0.114.7/33'], 422);
    await post(['2001:db8::1'], 422);
    await post('203.0.114.7', 422);
  });

  it('PostOrganizationApplication: name 1..128, ip_allowlist checked', async () => {
    await expect('POST', '/api/organization_applications', { name: 'a'.repeat(128) }, 201);
    await expect('POST', '/api/organization_applications', { name: 'a'.repeat(129) }, 422, /^name/);
    await expect('POST', '/api/organization_applications', { name: '' }, 422, /^name/);
    await expect(
      'POST',
      '/api/organization_applications',
      { name: 'n', ip_allowlist: ['127.0.0.1'] },
      422,
      /ip_allowlist/,
    );
  });

  it('PatchApplication: name 1..128, ip_allowlist checked', async () => {
    const app = await createBankApplication(sandbox, admin, guid());
    const path = `/api/bank_applications/${app.client_id}`;
    await expect('PATCH', path, { name: 'a' }, 200);
    await expect('PATCH', path, { name: 'a'.repeat(128) }, 200);
    await expect('PATCH', path, { name: '' }, 422, /^name/);
    await expect('PATCH', path, { name: 'a'.repeat(129) }, 422, /^name.*128/);
    await expect('PATCH', path, { ip_allowlist: ['172.16.0.1'] }, 422, /ip_allowlist/);
    await expect('PATCH', path, { ip_allowlist: null }, 422, /ip_allowlist/);
  });

  it('PostUser: email an address of 1..254 characters; allowed_scopes omitted, null or 1+ unique known scopes', async () => {
    await expect('POST', '/api/users', { email: email(254) }, 201);
    await expect('POST', '/api/users', { email: email(255) }, 422, /^email.*254/);
    await expect('POST', '/api/users', { email: '' }, 422, /^email/);
    for (const bad of [
      'a(b)@example.com',
      'a;b@example.com',
      'a>b@example.com',
      'a@example',
      'a..b@example.com',
    ])
      await expect('POST', '/api/users', { email: bad }, 422, /^email: must be an email address .*dot-atom/);
    await expect('POST', '/api/users', {}, 422, /^email/);
    await expect('POST', '/api/users', { email: email(60), allowed_scopes: ['openid'] }, 201);
    await expect('POST', '/api/users', { email: email(60), allowed_scopes: [] }, 422, /allowed_scopes/);
    await expect(
      'POST',
      '/api/users',
      { email: email(60), allowed_scopes: ['users:read', 'users:read'] },
      422,
      /allowed_scopes/,
    );
    await expect(
      'POST',
      '/api/users',
      { email: email(60), allowed_scopes: ['users:admin'] },
      422,
      /allowed_scopes\.0/,
    );
  });

  it('PatchUser: allowed_scopes required, 1+ unique known scopes', async () => {
    const created = await call(sandbox, 'POST', '/api/users', { token: admin, body: { email: email(60) } });
    const path = `/api/users/${(created.body as { guid: string }).guid}`;
    await expect('PATCH', path, { allowed_scopes: ['profile'] }, 200);
    await expect('PATCH', path, { allowed_scopes: [] }, 422, /allowed_scopes/);
    await expect('PATCH', path, { allowed_scopes: null }, 422, /allowed_scopes/);
    await expect('PATCH', path, { allowed_scopes: ['email', 'email'] }, 422, /allowed_scopes/);
  });

  it('bodies that are not objects, or missing, are 422', async () => {
    await expect('POST', '/api/organization_applications', ['name'], 422, /^body/);
    await expect('POST', '/api/organization_applications', 'name', 422, /^body/);
    await expect('POST', '/api/organization_applications', null, 422, /^body/);
    await expect('POST', '/api/organization_applications', undefined, 422, /^body/);
  });

  it('ignores unknown body fields', async () => {
    const answer = await call(sandbox, 'POST', '/api/users', {
      token: admin,
      body: { email: email(60), role: 'admin', disabled_at: 'x' },
    });
    assert.equal(answer.status, 201, answer.text);
    assert.ok(!('role' in (answer.body as object)));
    assert.equal((answer.body as { disabled_at: unknown }).disabled_at, null);
  });

  it('query parameters: page >= 0, per_page 1..100, integers, once; otherwise 400', async () => {
    for (const path of ['/api/bank_applications', '/api/organization_applications', '/api/users']) {
      for (const ok of ['page=0', 'page=3', 'per_page=1', 'per_page=100', 'page=0&per_page=50']) {
        const answer = await call(sandbox, 'GET', `${path}?${ok}`, { token: admin });
        assert.equal(answer.status, 200, `${path}?${ok}: ${answer.text}`);
      }
      const bad: [string, RegExp][] = [
        ['page=-1', /page must be an integer of at least 0/],
        ['per_page=0', /per_page must be an integer from 1 to 100/],
        ['per_page=101', /per_page.*100/],
        ['per_page=1.5', /per_page/],
        ['page=abc', /page/],
        ['page=', /page/],
        ['per_page=10&per_page=20', /per_page/],
      ];
      for (const [query, message] of bad) {
        assertError(
          await call(sandbox, 'GET', `${path}?${query}`, { token: admin }),
          400,
          'invalid_parameter',
          message,
        );
      }
    }
  });
});
