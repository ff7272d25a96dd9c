import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { User, UserList } from '../../src/model/idp-schemas.js';
import type { RunningSandbox } from '../../src/dev/sandbox/index.js';
import { assertError, call, guid, ISO_MILLIS_UTC, startSandboxWithAdmin, stats } from './support.js';

describe('sandbox users', () => {
  let sandbox: RunningSandbox;
  let admin: string;
  before(async () => ({ sandbox, admin } = await startSandboxWithAdmin()));
  after(() => sandbox.close());

  const create = async (body: unknown) => {
    const answer = await call(sandbox, 'POST', '/api/users', { token: admin, body });
    assert.equal(answer.status, 201, answer.text);
    return User.parse(answer.body);
  };
  const list = async (query = '') =>
    UserList.parse((await call(sandbox, 'GET', `/api/users${query}`, { token: admin })).body);

  it('creates (201) with invite_url only in the create response; username is the email', async () => {
    const email = `${guid()}@Example.com`;
    const created = await create({ email, allowed_scopes: ['users:read', 'openid'] });
    assert.match(created.guid, /^[0-9a-f]{32}$/);
    assert.equal(created.email, email);
    assert.equal(created.username, email);
    assert.deepEqual(created.allowed_scopes, ['users:read', 'openid']);
    assert.match(created.invite_url ?? '', /^https:\/\/id\.sandbox\.cybrid\.app\/invite\/[A-Za-z0-9_-]{43}$/);
    assert.match(created.created_at ?? '', ISO_MILLIS_UTC);

    const got = await call(sandbox, 'GET', `/api/users/${created.guid}`, { token: admin });
    assert.equal(got.status, 200);
    const fetched = User.parse(got.body);
    assert.ok(!('invite_url' in fetched), 'invite_url is absent outside creation');
    assert.equal((fetched as { disabled_at?: unknown }).disabled_at, null);
    const { invite_url: _invite, ...withoutInvite } = created;
    assert.deepEqual(fetched, { ...withoutInvite, disabled_at: null });
    const listed = await list(`?guid=${created.guid}`);
    assert.ok(!JSON.stringify(listed).includes(created.invite_url!));
  });

  it('stores allowed_scopes null when omitted or null', async () => {
    assert.equal((await create({ email: `${guid()}@example.com` })).allowed_scopes, null);
    assert.equal(
      (await create({ email: `${guid()}@example.com`, allowed_scopes: null })).allowed_scopes,
      null,
    );
  });

  it('answers 409 user_exists for an email already taken, case-insensitively', async () => {
    const email = `${guid()}@example.com`;
    await create({ email });
    const writes = (await stats(sandbox)).writes;
    for (const duplicate of [email, email.toUpperCase()]) {
      assertError(
        await call(sandbox, 'POST', '/api/users', { token: admin, body: { email: duplicate } }),
        409,
        'user_exists',
      );
    }
    assert.equal((await stats(sandbox)).writes, writes);
  });

  it('lists with the comma-separated guid filter and pagination', async () => {
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await create({ email: `${guid()}@example.com` }));
    const [a, b, c] = users as [User, User, User];
    const filtered = await list(`?guid=${a.guid},${c.guid},${'0'.repeat(32)}`);
    assert.equal(filtered.total, 2);
    assert.deepEqual(
      filtered.objects.map((u) => u.guid),
      [a.guid, c.guid],
    );
    assert.deepEqual(
      (await list(`?guid=${b.guid},`)).objects.map((u) => u.guid),
      [b.guid],
      'empty entries are ignored',
    );

    const all = await list('?per_page=100');
    assert.equal(all.total, all.objects.length);
    const paged = await list(`?guid=${a.guid},${b.guid},${c.guid}&per_page=2&page=1`);
    assert.equal(paged.total, 3);
    assert.deepEqual(
      paged.objects.map((u) => u.guid),
      [c.guid],
    );
  });

  it('PATCH replaces allowed_scopes; {} and [] are 422; unknown user 404', async () => {
    const user = await create({ email: `${guid()}@example.com`, allowed_scopes: ['users:read'] });
    const path = `/api/users/${user.guid}`;
    const patched = await call(sandbox, 'PATCH', path, {
      token: admin,
      body: { allowed_scopes: ['banks:read', 'email'] },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(User.parse(patched.body).allowed_scopes, ['banks:read', 'email']);
    assert.deepEqual(User.parse((await call(sandbox, 'GET', path, { token: admin })).body).allowed_scopes, [
      'banks:read',
      'email',
    ]);

    assertError(
      await call(sandbox, 'PATCH', path, { token: admin, body: {} }),
      422,
      'invalid_parameter',
      /allowed_scopes/,
    );
    assertError(
      await call(sandbox, 'PATCH', path, { token: admin, body: { allowed_scopes: [] } }),
      422,
      'invalid_parameter',
      /allowed_scopes/,
    );
    assertError(
      await call(sandbox, 'PATCH', `/api/users/${guid()}`, {
        token: admin,
        body: { allowed_scopes: ['users:read'] },
      }),
      404,
      'not_found',
      'user not found',
    );
  });

  it('DELETE disables (204) and keeps the record; repeating is 204; a disabled user cannot be patched', async () => {
    const user = await create({ email: `${guid()}@example.com` });
    const path = `/api/users/${user.guid}`;
    const before = await stats(sandbox);
    const disabled = await call(sandbox, 'DELETE', path, { token: admin });
    assert.equal(disabled.status, 204);
    assert.equal(disabled.text, '');

    const got = await call(sandbox, 'GET', path, { token: admin });
    assert.equal(got.status, 200, 'the record is kept');
    const disabledAt = (got.body as { disabled_at: string | null }).disabled_at;
    assert.match(disabledAt ?? '', ISO_MILLIS_UTC);
    assert.ok((await list(`?guid=${user.guid}`)).objects.length === 1);

    assert.equal((await call(sandbox, 'DELETE', path, { token: admin })).status, 204);
    assert.equal((await stats(sandbox)).writes - before.writes, 1, 'disabling again commits nothing');
    assert.equal(
      ((await call(sandbox, 'GET', path, { token: admin })).body as { disabled_at: string }).disabled_at,
      disabledAt,
    );

    assertError(
      await call(sandbox, 'PATCH', path, { token: admin, body: { allowed_scopes: ['users:read'] } }),
      422,
      'user_disabled',
    );
    assertError(
      await call(sandbox, 'DELETE', `/api/users/${guid()}`, { token: admin }),
      404,
      'not_found',
      'user not found',
    );
    assertError(
      await call(sandbox, 'GET', `/api/users/${guid()}`, { token: admin }),
      404,
      'not_found',
      'user not found',
    );
  });

  it('POST /__sandbox/users seeds many users in one go, skipping taken emails, without counting writes', async () => {
    const prefix = `seed-${guid().slice(0, 8)}-`;
    const before = await stats(sandbox);
    const seed = (body: unknown) => call(sandbox, 'POST', '/__sandbox/users', { body });
    const first = await seed({ count: 5_000, emailPrefix: prefix, emailDomain: 'many.example.com' });
    assert.equal(first.status, 200, first.text);
    assert.equal((first.body as { inserted: number }).inserted, 5_000);
    const again = await seed({
      count: 10,
      start: 4_995,
      emailPrefix: prefix,
      emailDomain: 'many.example.com',
    });
    assert.equal((again.body as { inserted: number; total: number }).inserted, 5);
    assert.equal((again.body as { total: number }).total, (await list('?per_page=1')).total);
    const after = await stats(sandbox);
    assert.equal(after.writes, before.writes, 'seeding counted as IdP writes');
    assert.equal(after.requests, before.requests + 1, 'seeding counted as IdP requests'); // the list above

    assertError(await seed({ count: 0 }), 400, 'invalid_parameter', /count/);
    assertError(await seed({ count: 1, rows: [] }), 400, 'invalid_parameter');
    assertError(
      await seed({ count: 1, emailPrefix: 'a(b)' }),
      400,
      'invalid_parameter',
      /emailPrefix: a\(b\)0@seed\.example\.com must be an email address/,
    );
  });
});
