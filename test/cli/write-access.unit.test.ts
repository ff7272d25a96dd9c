/**
 * The CLI's part in writing on today's IdP: `provisioner sandbox portal-token` (the write token command
 * `dev` hands its worker) against the real sandbox and against answers it cannot use, and `onboard
 * --expires-at` and `--task-deadline` refused at the edge.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/client/index.js';
import { buildProgram } from '../../src/cli/program.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { runCli, cleanEnv } from '../support/cli.js';
import { randomGuid } from '../support/ids.js';
import { freePort } from '../support/ports.js';

const LEAK = 'leaked-portal-body-0123456789';

describe('provisioner sandbox portal-token', () => {
  let sandbox: RunningSandbox;
  let broken: Server;
  let brokenUrl: string;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: '0.129.1425' });
    // Answers every request with `status` and a body that must never be repeated.
    let status = 500;
    broken = createServer((request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: status === 200 ? 42 : LEAK, detail: LEAK }));
      status = 200; // the second answer is a 200 without a usable token
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  });
  after(async () => {
    await sandbox?.close();
    await new Promise((resolve) => broken?.close(resolve));
  });

  it('prints the Portal token of the sandbox as {"access_token", "token_type", "expires_in"}', async () => {
    const run = await runCli(['sandbox', 'portal-token', '--url', sandbox.url], { env: cleanEnv() });
    assert.equal(run.code, 0, run.stderr);
    const token = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(token).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(token.token_type, 'Bearer');
    assert.equal(typeof token.access_token, 'string');
    assert.ok(typeof token.expires_in === 'number' && token.expires_in > 0);
    const help = await runCli(['sandbox', '--help'], { env: cleanEnv() });
    assert.doesNotMatch(help.stdout, /portal-token/, 'a hidden subcommand');
  });

  it('fails with one line naming the status, never the body, on an answer it cannot use', async () => {
    for (const expected of [/answered POST \/__sandbox\/portal-token with 500$/, /with 200, not a token$/]) {
      const run = await runCli(['sandbox', 'portal-token', '--url', brokenUrl], { env: cleanEnv() });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr.trim(), expected);
      assert.equal(run.stderr.trim().split('\n').length, 1);
      assert.doesNotMatch(run.stderr, new RegExp(LEAK));
    }
  });

  it('fails with one line when nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(['sandbox', 'portal-token', '--url', url], { env: cleanEnv() });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /did not answer POST \/__sandbox\/portal-token \(ECONNREFUSED\)/);
  });
});

describe('provisioner onboard --expires-at', () => {
  for (const [label, expiresAt, problem] of [
    ['in the past', '2020-01-01T00:00:00Z', /must be in the future/],
    ['beyond 365 days', new Date(Date.now() + 400 * 86_400_000).toISOString(), /must be at most 365d away/],
  ] as const) {
    it(`refuses an expiry ${label} before starting anything, naming the flag`, async () => {
      // No Temporal server at this address: the refusal must come before any connection.
      const env = cleanEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
      const run = await runCli(['onboard', randomGuid(), '--expires-at', expiresAt], { env });
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`^provisioner: --expires-at ${expiresAt.replaceAll('.', '\\.')} `));
      assert.match(run.stderr, problem);
    });
  }
});

describe('provisioner <operation> --task-deadline', () => {
  it('refuses a duration it cannot take before connecting anywhere, naming the field', async () => {
    // In process: the input is checked before the client would connect (nothing listens for it here).
    await assert.rejects(
      buildProgram().parseAsync(['disable-user', 'ada@example.com', '--task-deadline', '0d'], {
        from: 'user',
      }),
      (err) => err instanceof InvalidInputError && /tasks\.deadline/.test(err.message),
    );
  });
});
