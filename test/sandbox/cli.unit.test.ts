/** `provisioner sandbox --contract`: which contract the command speaks, from the flag or SANDBOX_CONTRACT. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { cleanEnv, runCli, startCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

/** Starts `provisioner sandbox` with these flags, waits until it listens, returns what it printed. */
async function started(flags: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const port = await freePort();
  const sandbox = startCli(['sandbox', '--port', String(port), '--database', ':memory:', ...flags], {
    env: cleanEnv(env),
  });
  const deadline = Date.now() + 60_000;
  while (!sandbox.output().stderr.includes('Partner Portal:')) {
    assert.equal(sandbox.child.exitCode, null, `sandbox exited: ${sandbox.output().stderr}`);
    assert.ok(Date.now() < deadline, 'sandbox did not start');
    await sleep(100);
  }
  const portal = await fetch(`http://127.0.0.1:${port}/__sandbox/portal-token`, { method: 'POST' });
  assert.equal(portal.status, 200);
  sandbox.child.kill('SIGINT');
  const exit = await sandbox.done;
  assert.equal(exit.code, 0, exit.stderr);
  return exit.stderr;
}

describe('provisioner sandbox --contract', () => {
  it('speaks 0.129.1425 by default and prints where the Partner Portal is', async () => {
    const printed = await started([]);
    assert.match(printed, /^contract: 0\.129\.1425$/m);
    assert.match(printed, /^Partner Portal: http:\/\/127\.0\.0\.1:\d+\/portal /m);
  });

  it('takes the flag over SANDBOX_CONTRACT, and SANDBOX_CONTRACT over the default', async () => {
    assert.match(await started([], { SANDBOX_CONTRACT: '0.129.899' }), /^contract: 0\.129\.899$/m);
    assert.match(
      await started(['--contract', '0.129.1425'], { SANDBOX_CONTRACT: '0.129.899' }),
      /^contract: 0\.129\.1425$/m,
    );
  });

  it('refuses a contract it does not speak, naming the ones it does', async () => {
    const run = await runCli(['sandbox', '--database', ':memory:', '--contract', '0.130.1'], {
      env: cleanEnv(),
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /sandbox contract 0\.130\.1: must be one of 0\.129\.1425, 0\.129\.899/);
  });
});
