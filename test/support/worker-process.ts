/** A real `provisioner worker` process on a test world's task queue and state, to kill and restart in tests. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCli } from './cli.js';
import type { TestWorld } from './env.js';

export async function startWorkerProcess(world: TestWorld) {
  const worker = startCli(['worker'], {
    env: {
      ...process.env,
      ...world.env,
      PROVISIONER_WORKFLOW_BUNDLE: process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE,
    },
  });
  while (!worker.output().stdout.includes('worker started')) {
    assert.equal(worker.child.exitCode, null, `worker exited: ${worker.output().stderr}`);
    await sleep(20);
  }
  return worker;
}
