/**
 * A worker process killed while it checks a key a person handed over (the sandbox on 0.129.1425, assisted):
 * the submission, accepted into history before the kill, is answered once a worker is back, the key is
 * accepted once, and the bank has one credential. A worker killed while a person deletes a revoked key: the
 * revocation finishes once a worker is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkTasks, submitCredential } from '../../src/client/tasks.js';
import { bankCredentialSecretName, credentialSubmissionSecretName } from '../../src/model/secret-names.js';
import type { CreateBankApiKeyValues, DeleteBankApiKeyValues } from '../../src/model/workflow-safe/tasks.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { portal, taskOf } from '../support/portal.js';
import { startWorkerProcess } from '../support/worker-process.js';

describe('onboardBank with the worker killed while it checks a handed-over key', () => {
  let world: TestWorld;
  before(
    async () =>
      (world = await createTestWorld({
        contract: '0.129.1425',
        env: { PROVISIONER_WRITE_MODE: 'assisted' },
      })),
  );
  after(() => world?.close());

  it('answers the submission once a worker is back, and accepts the key once', async () => {
    let worker = await startWorkerProcess(world);
    try {
      const bankGuid = randomGuid();
      const handle = await world.client.startOnboarding({ bankGuid });
      const task = await taskOf(world, bankGuid, 'create-bank-api-key');
      const key = await (await portal(world)).createKey(task.values as CreateBankApiKeyValues);

      // Slow IdP answers keep the check running while the worker is killed.
      world.sandbox.setFaults({ latencyMs: 1_000 });
      const submitted = submitCredential(world.client, world.deps.secrets, bankGuid, {
        clientId: key.clientId,
        clientSecret: key.secret,
        by: 'test person',
      });
      const waitUntil = Date.now() + 30_000;
      for (;;) {
        assert.ok(Date.now() < waitUntil, 'the check of the key never started');
        const { raw } = await handle.describe();
        const checking = raw.pendingActivities?.find(
          (a) => a.activityType?.name === 'acceptSubmittedCredential',
        );
        if (checking?.lastStartedTime) break;
        await sleep(50);
      }
      worker.child.kill('SIGKILL');
      await worker.done;
      world.sandbox.setFaults({ latencyMs: 0 });
      worker = await startWorkerProcess(world);

      const answer = await submitted;
      assert.equal(answer.accepted, true);
      const result = await handle.result();
      assert.equal(result.application.clientId, key.clientId);
      assert.deepEqual(
        result.tasks?.map((t) => [t.taskId, t.by]),
        [[task.taskId, 'test person']],
      );
      const credential = await world.deps.secrets.versions(bankCredentialSecretName(bankGuid));
      assert.deepEqual(
        credential.map((v) => v.stage),
        ['current'],
        'one credential version',
      );
      const submissions = await world.deps.secrets.versions(credentialSubmissionSecretName(bankGuid));
      assert.ok(submissions.every((v) => v.stage === 'revoked'));
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
      worker.child.kill('SIGKILL');
      await worker.done;
    }
  });

  it('a revocation whose worker is killed while a person deletes the key finishes once, when a worker is back', async () => {
    let worker = await startWorkerProcess(world);
    try {
      const bankGuid = randomGuid();
      const person = await portal(world);
      const onboarding = await world.client.startOnboarding({ bankGuid });
      const key = await person.handOverKey(await taskOf(world, bankGuid, 'create-bank-api-key'));
      await onboarding.result();

      const handle = await world.client.startRevocation({ bankGuid, reason: 'crash test' });
      const task = await taskOf(world, bankGuid, 'delete-bank-api-key');
      worker.child.kill('SIGKILL');
      await worker.done;
      await person.deleteKey(task.values as DeleteBankApiKeyValues);
      worker = await startWorkerProcess(world);
      await checkTasks(world.client, bankGuid, 'test operator');

      const result = await handle.result();
      assert.deepEqual(result.revokedClientIds, [key.clientId]);
      assert.deepEqual(
        result.tasks?.map((t) => [t.taskId, t.kind, t.by]),
        [[task.taskId, 'delete-bank-api-key', 'test operator']],
      );
    } finally {
      worker.child.kill('SIGKILL');
      await worker.done;
    }
  });
});
