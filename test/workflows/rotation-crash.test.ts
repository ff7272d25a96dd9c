import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { currentCredential, mintsToken, onboardedBank } from '../support/banks.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { listBankApplications } from '../support/idp.js';

const STEPS = [
  'reading the current credential',
  'creating the pending credential',
  'verifying the pending credential',
  'waiting',
  'deleting the previous application',
];

describe('rotateBankCredentials survives a worker killed at each step', () => {
  let world: TestWorld;
  before(async () => (world = await createTestWorld()));
  after(() => world.close());

  it('ends with exactly one working credential', async () => {
    let worker = await startWorkerProcess(world);
    const bank = await onboardedBank(world);
    world.sandbox.setFaults({ latencyMs: 1_500 });
    const handle = await world.client.startRotation({ bankGuid: bank.bankGuid, gracePeriod: '4s' });
    const killedAt: string[] = [];
    try {
      for (const target of STEPS) {
        let step = '';
        const deadline = Date.now() + 120_000;
        while (!step.startsWith(target)) {
          assert.ok(Date.now() < deadline, `never reached "${target}" (at "${step}")`);
          step = (await handle.query(statusQuery).catch(() => undefined))?.step ?? step;
          if (STEPS.findIndex((s) => step.startsWith(s)) > STEPS.indexOf(target)) break; // passed it already
          await sleep(20);
        }
        killedAt.push(step);
        worker.child.kill('SIGKILL');
        await worker.done;
        worker = await startWorkerProcess(world);
      }
      const result = await handle.result();
      assert.notEqual(result.clientId, bank.application.clientId);
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
      worker.child.kill('SIGTERM');
      await worker.done;
    }
    console.log(`killed the worker at: ${killedAt.join(' | ')}`);
    assert.ok(new Set(killedAt).size >= 4, `killed at too few distinct steps: ${killedAt.join(', ')}`);

    const apps = await listBankApplications(world, bank.bankGuid);
    assert.equal(apps.length, 1, `the bank has ${apps.length} applications`);
    const current = await currentCredential(world, bank.bankGuid);
    assert.equal(current.clientId, apps[0]!.client_id);
    assert.ok(await mintsToken(world, apps[0]!.client_id, current.clientSecret));
  });
});
