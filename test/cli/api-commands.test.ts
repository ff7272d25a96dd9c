/**
 * `provisioner api`, `api-key` and `webhook` as an operator runs them: keys and signing secrets printed once
 * and never listed, bad flags one line each, and a key revoked with the CLI refused by a running API at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, runCli, startApi } from '../support/cli.js';
import { randomGuid, temporalAddress } from '../support/env.js';
import { freePort } from '../support/ports.js';

describe('provisioner api, api-key and webhook', () => {
  let state: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    state = await mkdtemp(join(tmpdir(), 'provisioner-api-cli-'));
    env = cleanEnv({ PROVISIONER_STATE_DIR: state, TEMPORAL_ADDRESS: temporalAddress() });
  });
  after(() => rm(state, { recursive: true, force: true }));

  const cli = async (args: string[]) => {
    const run = await runCli(args, { env });
    return { ...run, json: () => JSON.parse(run.stdout) as Record<string, unknown> };
  };

  it('creates, lists and revokes API keys; a revoked key is refused by the running API at once', async () => {
    const created = await cli(['api-key', 'create', '--name', 'crm', '--allow', 'onboard,read', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { key, keyId, permissions } = created.json() as {
      key: string;
      keyId: string;
      permissions: string[];
    };
    assert.match(key, /^prov_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(permissions, ['onboard', 'read']);
    const listed = await cli(['api-key', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { keyId: string }[]).map((k) => k.keyId),
      [keyId],
    );
    assert.ok(!listed.stdout.includes(key.slice(22)) && !listed.stdout.includes('secret'), listed.stdout);

    const port = await freePort();
    const api = await startApi(port, { env });
    try {
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/openapi.json`)).status, 200);
      const read = () =>
        fetch(`${base}/v1/banks/${randomGuid()}`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal((await read()).status, 200);
      const revoked = await cli(['api-key', 'revoke', keyId]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal((await read()).status, 401);
    } finally {
      api.child.kill('SIGINT');
      assert.equal((await api.done).code, 0);
    }
    const audit = api
      .output()
      .stdout.split('\n')
      .filter((line) => line.includes('"audit"'));
    assert.equal(audit.length, 1, 'one audit line for the one accepted request');
  });

  it('adds, lists and removes webhooks; the signing secret is printed once', async () => {
    const added = await cli([
      'webhook',
      'add',
      'https://crm.example/hooks',
      '--events',
      'bank.onboarded,users.disabled',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const { id, secret, events } = added.json() as { id: string; secret: string; events: string[] };
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(events, ['bank.onboarded', 'users.disabled']);
    const listed = await cli(['webhook', 'list', '--json']);
    assert.deepEqual(JSON.parse(listed.stdout), [
      {
        id,
        url: 'https://crm.example/hooks',
        events,
        createdAt: (added.json() as { createdAt: string }).createdAt,
      },
    ]);
    assert.equal((await cli(['webhook', 'remove', id])).code, 0);
    const again = await cli(['webhook', 'remove', id]);
    assert.deepEqual([again.code, again.stderr], [1, `provisioner: no webhook ${id}\n`]);
  });

  it('refuses bad flags with one line naming them', async () => {
    for (const [args, message] of [
      [
        ['api-key', 'create', '--name', 'x', '--allow', 'onboard,everything'],
        /^provisioner: --allow: .*everything is not a permission/,
      ],
      [
        ['webhook', 'add', 'ftp://example.com/x'],
        /^provisioner: url: must be an http:\/\/ or https:\/\/ URL/,
      ],
      [
        ['webhook', 'add', 'https://user:pw@example.com/x'],
        /^provisioner: url: must not carry a user name or password/,
      ],
      [
        ['webhook', 'add', 'https://example.com/x', '--events', 'bank.exploded'],
        /^provisioner: events\.0: bank\.exploded is not a known event type/,
      ],
      [['api-key', 'revoke', 'nope'], /^provisioner: no API key nope\n$/],
    ] as const) {
      const run = await cli([...args]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1);
    }
  });
});
