/**
 * The client on today's IdP (the sandbox on contract 0.129.1425) with a write token source: a real command,
 * a small script asking the sandbox's Partner Portal for a person's token, run through the shell. Reads keep
 * the API key's token; writes go with the Portal token, fetched again after a 401.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applicationPathId } from '../../src/idp/client.js';
import { runWriteTokenCommand } from '../../src/idp/write-token-command.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { createIdpClient } from '../../src/idp/client.js';
import { IdpError } from '../../src/idp/errors.js';
import { guidStartingWith, ORG_SCOPES, uniqueEmail } from './helpers.js';

describe('write token source on a 0.129.1425 IdP (sandbox over HTTP)', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let runs: string;
  let command: string;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: '0.129.1425' });
    dir = await mkdtemp(join(tmpdir(), 'write-token-source-'));
    runs = join(dir, 'runs');
    await writeFile(runs, '');
    // Counts its runs in a file, then prints the Portal token the sandbox answers.
    const script = join(dir, 'portal-token.mjs');
    await writeFile(
      script,
      `import { appendFileSync } from 'node:fs';
       appendFileSync(${JSON.stringify(runs)}, 'run\\n');
       const response = await fetch(process.argv[2] + '/__sandbox/portal-token', { method: 'POST' });
       if (!response.ok) process.exit(2);
       process.stdout.write(await response.text());`,
    );
    command = `"${process.execPath}" "${script}" "${sandbox.url}"`;
  });
  after(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const commandRuns = async () => (await readFile(runs, 'utf8')).split('\n').filter(Boolean).length;

  /** A client of the sandbox whose every exchange is recorded with the token it carried. */
  function client(tamperNextWrite?: { forge: boolean }) {
    const exchanges: string[] = [];
    const idp = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: ORG_SCOPES,
      writeTokenSource: () => runWriteTokenCommand({ command, timeoutMs: 10_000 }),
      fetch: async (input, init) => {
        let request = new Request(input, init);
        const path = new URL(request.url).pathname;
        if (tamperNextWrite?.forge && request.method !== 'GET' && path.startsWith('/api/')) {
          tamperNextWrite.forge = false;
          const headers = new Headers(request.headers);
          headers.set('authorization', 'Bearer forged.portal.token');
          request = new Request(request, { headers });
        }
        const response = await fetch(request);
        exchanges.push(`${request.method} ${path} ${response.status}`);
        return response;
      },
    });
    return { idp, exchanges };
  }

  it('reads with the API key, writes with the token the command prints, and runs the command once', async () => {
    const before = await commandRuns();
    const { idp, exchanges } = client();
    const granted = (await idp.token()).grantedScopes;
    assert.equal(granted.includes('bank_applications:execute'), false, 'the sandbox drops the write scopes');

    const bankGuid = guidStartingWith('7');
    const app = await idp.createBankApplication({ name: 'portal-written', bank_guid: bankGuid });
    assert.equal(app.guid?.length, 32, 'a 0.129.1425 answer carries the guid');
    assert.ok(app.expires_at, 'and the expiry the client sent');
    const listed = await idp.listBankApplications({ bankGuid });
    assert.deepEqual(
      listed.objects.map((a) => a.client_id),
      [app.client_id],
    );
    const got = await idp.getBankApplication(applicationPathId(app));
    assert.equal(got.client_id, app.client_id, 'the guid addresses the application');
    const user = await idp.createUser({ email: uniqueEmail('portal') });
    await idp.disableUser(user.guid);
    await idp.deleteBankApplication(applicationPathId(app));
    await assert.rejects(
      idp.getBankApplication(app.client_id),
      (err) => err instanceof IdpError && err.type === 'IdpNotFound',
    );

    assert.equal((await commandRuns()) - before, 1, 'the Portal token is cached between writes');
    assert.deepEqual(
      exchanges.filter((e) => e.startsWith('POST /oauth')),
      ['POST /oauth/token 200'],
    );
  });

  it('runs the command again after a 401 and sends the write once more', async () => {
    const tamper = { forge: false };
    const { idp, exchanges } = client(tamper);
    await idp.createUser({ email: uniqueEmail('first') });
    const before = await commandRuns();
    tamper.forge = true;
    await idp.createUser({ email: uniqueEmail('second') });
    assert.equal((await commandRuns()) - before, 1);
    assert.deepEqual(exchanges.slice(-2), ['POST /api/users 401', 'POST /api/users 201']);
  });

  it('fails the write, not the reads, when the command fails', async () => {
    const { idp } = client();
    const failing = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: ORG_SCOPES,
      writeTokenSource: () => runWriteTokenCommand({ command: 'exit 4', timeoutMs: 10_000 }),
    });
    assert.ok(Array.isArray((await failing.listUsers()).objects));
    await assert.rejects(failing.createUser({ email: uniqueEmail('never') }), (err) => {
      assert.ok(err instanceof IdpError);
      assert.equal(err.type, 'IdpWriteTokenFailed');
      assert.match(err.message, /CYBRID_IDP_WRITE_TOKEN_COMMAND exited with code 4/);
      assert.equal(err.retryable, true);
      return true;
    });
    assert.ok(Array.isArray((await idp.listUsers()).objects));
  });

  it('without a write token source, refuses the write as IdpWriteNotPermitted naming the Portal', async () => {
    const readOnly = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: ORG_SCOPES,
    });
    await assert.rejects(
      readOnly.createBankApplication({ name: 'refused', bank_guid: guidStartingWith('7') }),
      (err) =>
        err instanceof IdpError &&
        err.type === 'IdpWriteNotPermitted' &&
        /Partner Portal/.test(err.message) &&
        err.missingScopes?.[0] === 'bank_applications:execute',
    );
  });
});
