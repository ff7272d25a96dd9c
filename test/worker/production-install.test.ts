/**
 * Production as an operator would set it up: `npm run build`, then a copy holding only package.json, the lock
 * file, bin/ and dist/, installed with `npm ci --omit=dev` (no tsx, no @temporalio/testing), whose
 * `provisioner worker` onboards a bank.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runCli } from '../support/cli.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';

const run = promisify(execFile);

describe('production: the compiled worker from an install without development dependencies', () => {
  let world: TestWorld;
  let app: string;
  before(async () => {
    world = await createTestWorld();
    app = await mkdtemp(join(tmpdir(), 'provisioner-production-'));
  });
  after(async () => {
    await world.close();
    await rm(app, { recursive: true, force: true });
  });

  it('installs with npm ci --omit=dev and onboards a bank through `provisioner worker`', async () => {
    await run('npm', ['run', 'build'], { timeout: 240_000 });
    for (const path of ['package.json', 'package-lock.json', 'bin', 'dist'])
      await cp(path, join(app, path), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app, timeout: 600_000 });
    for (const devOnly of ['tsx', '@temporalio/testing', 'pino-pretty'])
      await assert.rejects(access(join(app, 'node_modules', devOnly)), { code: 'ENOENT' });
    const bin = join(app, 'bin/provisioner.js');

    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const versionRun = await runCli(['--version'], { cwd: app, bin });
    assert.equal(versionRun.stdout.trim(), version, versionRun.stderr);
    const devRun = await runCli(['dev'], { cwd: app, bin });
    assert.notEqual(devRun.code, 0);
    assert.match(devRun.stderr, /^provisioner: this command needs the development dependencies/);

    const worker = spawn(process.execPath, [bin, 'worker'], {
      cwd: app,
      env: { ...process.env, ...world.env, PROVISIONER_WORKFLOW_BUNDLE: 'dist/workflow-bundle.js' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('worker started')) {
        assert.ok(
          Date.now() < deadline && worker.exitCode === null,
          `worker did not start: ${output.slice(-2000)}`,
        );
        await sleep(100);
      }
      const handle = await world.client.startOnboarding({
        bankGuid: randomGuid(),
        users: [{ email: 'production@example.com' }],
      });
      const result = await handle.result();
      assert.equal(result.users.length, 1);
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.slice(-2000));
  });
});
