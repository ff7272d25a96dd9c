import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';

const run = promisify(execFile);

describe('production: npm run build, then the compiled worker with the prebuilt bundle', () => {
  let world: TestWorld;
  before(async () => (world = await createTestWorld()));
  after(() => world.close());

  it('builds dist/ and onboards a bank through `node dist/cli/main.js worker`', async () => {
    await run('npm', ['run', 'build'], { timeout: 240_000 });
    const worker = spawn(process.execPath, ['dist/cli/main.js', 'worker'], {
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
        users: [{ email: 'dist@example.com' }],
      });
      const result = await handle.result();
      assert.equal(result.users.length, 1);
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.slice(-2000));
  });
});
