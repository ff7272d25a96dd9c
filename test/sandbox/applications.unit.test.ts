import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Application, ApplicationList, ApplicationWithSecret } from '../../src/model/idp-schemas.js';
import { APPLICATION_SCOPES_V0_129_899 as APPLICATION_SCOPES } from '../../src/model/idp-scopes.js';
import type { RunningSandbox } from '../../src/dev/sandbox/index.js';
import {
  assertError,
  bankToken,
  call,
  createBankApplication,
  guid,
  ISO_MILLIS_UTC,
  startSandboxWithAdmin,
  stats,
  tokenFor,
} from './support.js';

const BANK_SCOPES = APPLICATION_SCOPES.filter(
  (s) => !/^(organization_applications|organizations|users):/.test(s),
);

describe('sandbox applications', () => {
  let sandbox: RunningSandbox;
  let admin: string;
  before(async () => ({ sandbox, admin } = await startSandboxWithAdmin()));
  after(() => sandbox.close());

  const list = async (path: string, token = admin) => {
    const answer = await call(sandbox, 'GET', path, { token });
    assert.equal(answer.status, 200, answer.text);
    return ApplicationList.parse(answer.body);
  };

  describe('bank applications', () => {
    it('creates (201, secret once), gets, lists; the secret never appears again', async () => {
      const bankGuid = guid();
      const answer = await call(sandbox, 'POST', '/api/bank_applications', {
        token: admin,
        body: { name: 'Primary', bank_guid: bankGuid, ip_allowlist: ['203.0.114.7', '198.51.101.0/24'] },
      });
      assert.equal(answer.status, 201, answer.text);
      const created = ApplicationWithSecret.parse(answer.body);
      assert.match(created.client_id, /^[0-9a-f]{32}$/);
      assert.match(created.secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(created.name, 'Primary');
      assert.deepEqual(created.scopes, BANK_SCOPES);
      assert.deepEqual(created.ip_allowlist, ['203.0.114.7', '198.51.101.0/24']);
      assert.match(created.created_at, ISO_MILLIS_UTC);
      assert.equal(created.updated_at, created.created_at);

      const got = await call(sandbox, 'GET', `/api/bank_applications/${created.client_id}`, { token: admin });
      assert.equal(got.status, 200);
      const { secret: _secret, ...withoutSecret } = created;
      assert.deepEqual(Application.parse(got.body), withoutSecret);
      assert.ok(!got.text.includes(created.secret));

      const listed = await list(`/api/bank_applications?bank_guid=${bankGuid}`);
      assert.equal(listed.total, 1);
      assert.deepEqual(listed.objects[0], withoutSecret);
      assert.ok(!JSON.stringify(listed).includes(created.secret));
    });

    it('defaults ip_allowlist to [] and allows repeated names', async () => {
      const bankGuid = guid();
      const a = await createBankApplication(sandbox, admin, bankGuid, 'same');
      const b = await createBankApplication(sandbox, admin, bankGuid, 'same');
      assert.deepEqual(a.ip_allowlist, []);
      assert.notEqual(a.client_id, b.client_id);
      assert.equal((await list(`/api/bank_applications?bank_guid=${bankGuid}`)).total, 2);
    });

    it('keeps expires_at (null when none), refuses one in the past, and stops minting once it passes', async () => {
      const bankGuid = guid();
      assert.equal((await createBankApplication(sandbox, admin, bankGuid)).expires_at, null);
      const past = await call(sandbox, 'POST', '/api/bank_applications', {
        token: admin,
        body: { name: 'late', bank_guid: bankGuid, expires_at: new Date(Date.now() - 1_000).toISOString() },
      });
      assertError(past, 422, 'invalid_parameter', /expires_at: must be in the future/);
      const expiresAt = new Date(Date.now() + 1_500).toISOString();
      const answer = await call(sandbox, 'POST', '/api/bank_applications', {
        token: admin,
        body: { name: 'brief', bank_guid: bankGuid, expires_at: expiresAt },
      });
      const app = ApplicationWithSecret.parse(answer.body);
      assert.equal(app.expires_at, expiresAt);
      const got = await call(sandbox, 'GET', `/api/bank_applications/${app.client_id}`, { token: admin });
      assert.equal(Application.parse(got.body).expires_at, expiresAt);
      await tokenFor(sandbox, app.client_id, app.secret);
      await sleep(Date.parse(expiresAt) - Date.now() + 50);
      const expired = await call(sandbox, 'POST', '/oauth/token', {
        body: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.secret },
      });
      assert.equal(expired.status, 401, expired.text);
      assert.equal((expired.body as { error: string }).error, 'invalid_client');
    });

    it('requires bank_guid from organization tokens (422)', async () => {
      const answer = await call(sandbox, 'POST', '/api/bank_applications', {
        token: admin,
        body: { name: 'x' },
      });
      assertError(answer, 422, 'invalid_parameter', /bank_guid/);
    });

    it('paginates: page, per_page, total, default 10, ordered by creation', async () => {
      const bankGuid = guid();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++)
        ids.push((await createBankApplication(sandbox, admin, bankGuid, `app ${i}`)).client_id);
      const base = `/api/bank_applications?bank_guid=${bankGuid}`;

      const first = await list(base);
      assert.equal(first.total, 12);
      assert.equal(first.page, 0);
      assert.equal(first.per_page, 10);
      assert.deepEqual(
        first.objects.map((a) => a.client_id),
        ids.slice(0, 10),
      );

      const second = await list(`${base}&page=1&per_page=5`);
      assert.deepEqual(
        second.objects.map((a) => a.client_id),
        ids.slice(5, 10),
      );
      assert.equal(second.page, 1);
      assert.equal(second.per_page, 5);
      const last = await list(`${base}&page=2&per_page=5`);
      assert.deepEqual(
        last.objects.map((a) => a.client_id),
        ids.slice(10),
      );
      const beyond = await list(`${base}&page=9&per_page=5`);
      assert.deepEqual(beyond.objects, []);
      assert.equal(beyond.total, 12);
    });

    it('lists every bank of the organization without bank_guid', async () => {
      const a = await createBankApplication(sandbox, admin, guid());
      const b = await createBankApplication(sandbox, admin, guid());
      const all = await list('/api/bank_applications?per_page=100');
      const ids = all.objects.map((app) => app.client_id);
      assert.ok(ids.includes(a.client_id) && ids.includes(b.client_id));
      assert.ok(all.total >= 2);
    });

    it('PATCH: name, ip_allowlist ([] clears, omitted keeps), {} is a no-op', async () => {
      const app = await createBankApplication(sandbox, admin, guid(), 'before');
      const path = `/api/bank_applications/${app.client_id}`;
      await new Promise((resolve) => setTimeout(resolve, 5)); // updated_at has millisecond precision

      const withList = await call(sandbox, 'PATCH', path, {
        token: admin,
        body: { ip_allowlist: ['203.0.114.7'] },
      });
      assert.equal(withList.status, 200, withList.text);
      const patched = Application.parse(withList.body);
      assert.deepEqual(patched.ip_allowlist, ['203.0.114.7']);
      assert.equal(patched.name, 'before');
      assert.ok(patched.updated_at! > app.created_at);
      assert.ok(!('secret' in patched));

      const renamed = Application.parse(
        (await call(sandbox, 'PATCH', path, { token: admin, body: { name: 'after' } })).body,
      );
      assert.equal(renamed.name, 'after');
      assert.deepEqual(renamed.ip_allowlist, ['203.0.114.7'], 'omitted ip_allowlist is kept');

      const cleared = Application.parse(
        (await call(sandbox, 'PATCH', path, { token: admin, body: { ip_allowlist: [] } })).body,
      );
      assert.deepEqual(cleared.ip_allowlist, []);

      const writes = (await stats(sandbox)).writes;
      const noop = await call(sandbox, 'PATCH', path, { token: admin, body: {} });
      assert.equal(noop.status, 200);
      assert.deepEqual(Application.parse(noop.body), cleared);
      assert.equal((await stats(sandbox)).writes, writes, 'a no-op PATCH commits nothing');
      assert.deepEqual(Application.parse((await call(sandbox, 'GET', path, { token: admin })).body), cleared);
    });

    it('DELETE answers 204 with no body; the application is gone (404 everywhere)', async () => {
      const bankGuid = guid();
      const app = await createBankApplication(sandbox, admin, bankGuid);
      const path = `/api/bank_applications/${app.client_id}`;
      const deleted = await call(sandbox, 'DELETE', path, { token: admin });
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');
      assertError(
        await call(sandbox, 'GET', path, { token: admin }),
        404,
        'not_found',
        'application not found',
      );
      assertError(
        await call(sandbox, 'PATCH', path, { token: admin, body: { name: 'x' } }),
        404,
        'not_found',
        'application not found',
      );
      assertError(
        await call(sandbox, 'DELETE', path, { token: admin }),
        404,
        'not_found',
        'application not found',
      );
      assert.equal((await list(`/api/bank_applications?bank_guid=${bankGuid}`)).total, 0);
    });

    it('is not reachable through the organization-application paths', async () => {
      const app = await createBankApplication(sandbox, admin, guid());
      assertError(
        await call(sandbox, 'GET', `/api/organization_applications/${app.client_id}`, { token: admin }),
        404,
        'not_found',
      );
      const orgApps = await list('/api/organization_applications?per_page=100');
      assert.ok(!orgApps.objects.some((a) => a.client_id === app.client_id));
    });

    describe('with a bank token', () => {
      it('creates for its own bank, sees only its own bank, cannot name another bank', async () => {
        const own = guid();
        const other = guid();
        const otherApp = await createBankApplication(sandbox, admin, other);
        const token = await bankToken(sandbox, own); // creates one application of `own`

        const created = await call(sandbox, 'POST', '/api/bank_applications', {
          token,
          body: { name: 'self-made' },
        });
        assert.equal(created.status, 201, created.text);
        const explicit = await call(sandbox, 'POST', '/api/bank_applications', {
          token,
          body: { name: 'x', bank_guid: own },
        });
        assert.equal(explicit.status, 201, explicit.text);
        assertError(
          await call(sandbox, 'POST', '/api/bank_applications', {
            token,
            body: { name: 'x', bank_guid: other },
          }),
          422,
          'invalid_parameter',
          /bank_guid/,
        );

        const mine = await list('/api/bank_applications?per_page=100', token);
        assert.equal(mine.total, 3);
        assert.deepEqual(await list(`/api/bank_applications?bank_guid=${own}&per_page=100`, token), mine);
        const foreign = await list(`/api/bank_applications?bank_guid=${other}`, token);
        assert.equal(foreign.total, 0);
        assert.deepEqual(foreign.objects, []);
        assertError(
          await call(sandbox, 'GET', `/api/bank_applications/${otherApp.client_id}`, { token }),
          404,
          'not_found',
        );
        assertError(
          await call(sandbox, 'DELETE', `/api/bank_applications/${otherApp.client_id}`, { token }),
          404,
          'not_found',
        );
        assert.equal(
          (await call(sandbox, 'GET', `/api/bank_applications/${otherApp.client_id}`, { token: admin }))
            .status,
          200,
        );
      });

      it('cannot touch organization applications (403)', async () => {
        const token = await bankToken(sandbox, guid());
        assertError(
          await call(sandbox, 'GET', '/api/organization_applications', { token }),
          403,
          'invalid_scopes',
        );
        assertError(
          await call(sandbox, 'POST', '/api/organization_applications', { token, body: { name: 'x' } }),
          403,
          'invalid_scopes',
        );
      });
    });
  });

  describe('organization applications', () => {
    it('creates with every application scope, gets, lists, patches, deletes', async () => {
      const answer = await call(sandbox, 'POST', '/api/organization_applications', {
        token: admin,
        body: { name: 'Ops', bank_guid: guid(), unknown_field: true },
      });
      assert.equal(answer.status, 201, answer.text);
      const created = ApplicationWithSecret.parse(answer.body);
      assert.deepEqual(created.scopes, [...APPLICATION_SCOPES]);
      assert.ok(!('unknown_field' in created) && !('bank_guid' in created));
      const path = `/api/organization_applications/${created.client_id}`;

      assert.equal(Application.parse((await call(sandbox, 'GET', path, { token: admin })).body).name, 'Ops');
      const listed = await list('/api/organization_applications?per_page=100');
      assert.ok(listed.objects.some((a) => a.client_id === created.client_id));
      assert.ok(!JSON.stringify(listed).includes(created.secret));

      const patched = await call(sandbox, 'PATCH', path, { token: admin, body: { name: 'Ops 2' } });
      assert.equal(Application.parse(patched.body).name, 'Ops 2');

      assert.equal((await call(sandbox, 'DELETE', path, { token: admin })).status, 204);
      assertError(
        await call(sandbox, 'GET', path, { token: admin }),
        404,
        'not_found',
        'application not found',
      );
      assert.ok(
        !(await list('/api/organization_applications?per_page=100')).objects.some(
          (a) => a.client_id === created.client_id,
        ),
      );
    });
  });

  it('counts committed writes in /__sandbox/stats', async () => {
    const before = await stats(sandbox);
    const app = await createBankApplication(sandbox, admin, guid());
    await call(sandbox, 'PATCH', `/api/bank_applications/${app.client_id}`, {
      token: admin,
      body: { name: 'n' },
    });
    await call(sandbox, 'DELETE', `/api/bank_applications/${app.client_id}`, { token: admin });
    await call(sandbox, 'DELETE', `/api/bank_applications/${app.client_id}`, { token: admin }); // 404: nothing committed
    await call(sandbox, 'POST', '/api/bank_applications', { token: admin, body: { name: '' } }); // 422
    await call(sandbox, 'GET', '/api/bank_applications', { token: admin });
    const afterwards = await stats(sandbox);
    assert.equal(afterwards.writes - before.writes, 3);
    assert.equal(afterwards.requests - before.requests, 6);
  });
});
