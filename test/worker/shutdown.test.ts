import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { startCli } from '../support/cli.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications } from '../support/idp.js';
import { freePort } from '../support/ports.js';

describe('worker: graceful shutdown', () => {
  let world: TestWorld;
  before(async () => (world = await createTestWorld({ faults: { latencyMs: 200 } })));
  after(() => world.close());

  it('serves metrics, exits cleanly on SIGTERM mid-workflow, and the workflow completes on a new worker', async () => {
    const metricsPort = await freePort();
    const worker = startCli(['worker'], {
      env: {
        ...process.env,
        ...world.env,
        PROVISIONER_WORKFLOW_BUNDLE: process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE,
        PROVISIONER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      },
    });
    const deadline = Date.now() + 60_000;
    while (!worker.output().stdout.includes('worker started')) {
      assert.ok(Date.now() < deadline, `worker did not start: ${worker.output().stderr}`);
      await sleep(100);
    }

    const bankGuid = randomGuid();
    const users = Array.from({ length: 24 }, (_, i) => ({ email: `shutdown-${i}@example.com` }));
    const handle = await world.client.startOnboarding({ bankGuid, users });
    // Wait until the user batch (an activity) is in flight.
    while ((await handle.query(statusQuery).catch(() => undefined))?.step !== 'provisioning users') {
      assert.ok(Date.now() < deadline, 'onboarding never reached the user step');
      await sleep(50);
    }

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /temporal_/, 'the worker serves no Prometheus metrics');

    const killedAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.done;
    assert.equal(exit.code, 0, `worker exit: ${exit.code} ${exit.signal} ${exit.stderr}`);
    assert.ok(Date.now() - killedAt < 30_000, 'shutdown took longer than the grace period');
    assert.match(exit.stdout, /worker stopped/);

    await world.startWorker();
    const result = await handle.result();
    assert.equal(result.users.length, users.length);
    assert.equal(new Set(result.users.map((u) => u.guid)).size, users.length);
    assert.equal((await listBankApplications(world, bankGuid)).length, 1);
  });
});
