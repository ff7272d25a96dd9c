import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { assertError, call, createBankApplication, guid, orgToken, tokenFor } from './support.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

describe('sandbox persistence (SQLite file)', () => {
  let dir: string;
  const open: RunningSandbox[] = [];
  const start = async (options: Partial<Parameters<typeof startSandbox>[0]> = {}) => {
    const sandbox = await startSandbox({
      database: join(dir, 'nested', 'idp.sqlite'),
      contract: WRITING_CONTRACT,
      ...options,
    });
    open.push(sandbox);
    return sandbox;
  };
  const stop = async (sandbox: RunningSandbox) => {
    await sandbox.close();
    open.splice(open.indexOf(sandbox), 1);
    // fetch's shared connection pool learns that the server closed its sockets only when the event loop polls
    // them; without this pause it may reuse one for the next sandbox on the same port ("other side closed").
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-persist-'));
  });
  after(async () => {
    await Promise.all(open.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a database written before applications could expire, keeping its applications', async () => {
    const file = join(dir, 'before-expiry.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE applications (
      id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('bank', 'organization')), bank_guid TEXT, name TEXT NOT NULL,
      secret_hash BLOB NOT NULL, scopes TEXT NOT NULL, ip_allowlist TEXT NOT NULL,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    old
      .prepare(
        `INSERT INTO applications (client_id, kind, bank_guid, name, secret_hash, scopes, ip_allowlist, created_at, updated_at)
      VALUES ('old-app', 'bank', ?, 'old', x'00', '[]', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run('b'.repeat(32));
    old.close();
    const sandbox = await start({ database: file });
    const admin = await orgToken(sandbox);
    const kept = await call(sandbox, 'GET', '/api/bank_applications/old-app', { token: admin });
    assert.equal(kept.status, 200, kept.text);
    assert.equal((kept.body as { expires_at: unknown }).expires_at, null);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await call(sandbox, 'POST', '/api/bank_applications', {
      token: admin,
      body: { name: 'new', bank_guid: guid(), expires_at: expiresAt },
    });
    assert.equal((created.body as { expires_at: string }).expires_at, expiresAt);
    await stop(sandbox);
  });

  it('opens a database written before applications had a guid, giving each one its own', async () => {
    const file = join(dir, 'before-guid.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE applications (
      id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('bank', 'organization')), bank_guid TEXT, name TEXT NOT NULL,
      secret_hash BLOB NOT NULL, scopes TEXT NOT NULL, ip_allowlist TEXT NOT NULL,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT)`);
    const insert = old.prepare(
      `INSERT INTO applications (client_id, kind, bank_guid, name, secret_hash, scopes, ip_allowlist, created_at, updated_at)
      VALUES (?, 'bank', ?, 'old', x'00', '[]', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    );
    const bankGuid = guid();
    insert.run('old-app-1', bankGuid);
    insert.run('old-app-2', bankGuid);
    old.close();
    const sandbox = await start({ database: file, contract: '0.129.1425' });
    const reader = await orgToken(sandbox);
    const list = await call(sandbox, 'GET', `/api/bank_applications?bank_guid=${bankGuid}`, {
      token: reader,
    });
    const guids = (list.body as { objects: { guid: string }[] }).objects.map((app) => app.guid);
    assert.equal(guids.length, 2);
    for (const each of guids) assert.match(each, /^[0-9a-f]{32}$/);
    assert.notEqual(guids[0], guids[1]);
    const byGuid = await call(sandbox, 'GET', `/api/bank_applications/${guids[1]}`, { token: reader });
    assert.equal((byGuid.body as { client_id: string }).client_id, 'old-app-2');
    await stop(sandbox);
  });

  it('keeps applications, users, organization credentials and token validity across a restart', async () => {
    const first = await start();
    assert.equal(first.orgCredentials.generated, true);
    assert.match(first.orgCredentials.clientId, /^[0-9a-f]{32}$/);
    assert.match(first.orgCredentials.clientSecret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(join(dir, 'nested', 'idp.sqlite'))).mode & 0o777, 0o600);

    const admin = await orgToken(first);
    const bankGuid = guid();
    const app = await createBankApplication(first, admin, bankGuid, 'persisted');
    await call(first, 'PATCH', `/api/bank_applications/${app.client_id}`, {
      token: admin,
      body: { ip_allowlist: ['203.0.114.7'] },
    });
    const deleted = await createBankApplication(first, admin, bankGuid, 'deleted');
    await call(first, 'DELETE', `/api/bank_applications/${deleted.client_id}`, { token: admin });
    const user = (
      await call(first, 'POST', '/api/users', {
        token: admin,
        body: { email: 'keep@example.com', allowed_scopes: ['users:read'] },
      })
    ).body as { guid: string };
    await call(first, 'DELETE', `/api/users/${user.guid}`, { token: admin });
    const appBefore = (await call(first, 'GET', `/api/bank_applications/${app.client_id}`, { token: admin }))
      .body;
    const userBefore = (await call(first, 'GET', `/api/users/${user.guid}`, { token: admin })).body;
    const port = Number(new URL(first.url).port);
    await stop(first);

    const second = await start({ port });
    assert.equal(second.url, first.url);
    assert.deepEqual(second.orgCredentials, first.orgCredentials);
    assert.equal(
      (await call(second, 'GET', `/api/bank_applications/${app.client_id}`, { token: admin })).status,
      200,
      'the old token still verifies',
    );
    assert.deepEqual(
      (await call(second, 'GET', `/api/bank_applications/${app.client_id}`, { token: admin })).body,
      appBefore,
    );
    assert.deepEqual(
      (await call(second, 'GET', `/api/users/${user.guid}`, { token: admin })).body,
      userBefore,
    );
    assertError(
      await call(second, 'GET', `/api/bank_applications/${deleted.client_id}`, { token: admin }),
      404,
      'not_found',
    );
    assertError(
      await call(second, 'POST', '/api/users', { token: admin, body: { email: 'KEEP@example.com' } }),
      409,
      'user_exists',
    );
    const bank = await tokenFor(second, app.client_id, app.secret, 'banks:read');
    const own = await call(second, 'GET', '/api/bank_applications', { token: bank.access_token });
    assert.deepEqual((own.body as { objects: unknown[] }).objects, [appBefore]);
    assert.deepEqual(
      (await call(second, 'GET', '/__sandbox/stats')).body,
      { requests: 7, writes: 0, rateLimited: 0, lostResponses: [] },
      'stats count since start',
    );
    await stop(second);
  });

  it('prefers credentials from options, then the environment, over the persisted ones', async () => {
    const persisted = await start();
    const generated = persisted.orgCredentials;
    await stop(persisted);

    const fromOptions = await start({ orgClientId: 'b'.repeat(32), orgClientSecret: 'configured-secret' });
    assert.deepEqual(fromOptions.orgCredentials, {
      clientId: 'b'.repeat(32),
      clientSecret: 'configured-secret',
      generated: false,
    });
    assert.equal(
      (await tokenFor(fromOptions, 'b'.repeat(32), 'configured-secret', 'users:read')).scope,
      'users:read',
    );
    const stale = await call(fromOptions, 'POST', '/oauth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: generated.clientId,
        client_secret: generated.clientSecret,
      },
    });
    assertError(stale, 401, 'invalid_client');
    await stop(fromOptions);

    const saved = { id: process.env.SANDBOX_ORG_CLIENT_ID, secret: process.env.SANDBOX_ORG_CLIENT_SECRET };
    process.env.SANDBOX_ORG_CLIENT_ID = 'c'.repeat(32);
    process.env.SANDBOX_ORG_CLIENT_SECRET = 'env-secret';
    try {
      const fromEnv = await start();
      assert.deepEqual(fromEnv.orgCredentials, {
        clientId: 'c'.repeat(32),
        clientSecret: 'env-secret',
        generated: false,
      });
      await stop(fromEnv);
    } finally {
      for (const [name, value] of [
        ['SANDBOX_ORG_CLIENT_ID', saved.id],
        ['SANDBOX_ORG_CLIENT_SECRET', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }

    const again = await start();
    assert.deepEqual(
      again.orgCredentials,
      generated,
      'the generated credentials are still there for the next start',
    );
    await stop(again);
  });
});
