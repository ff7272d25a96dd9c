import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import {
  assertSoleWorkingCredential,
  currentCredential,
  mintsToken,
  onboardedBank,
} from '../support/banks.js';
import type { Application } from '../../src/model/idp-schemas.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications } from '../support/idp.js';

/** The workflow ended because it was cancelled, not because of some other failure. */
const isCancellation = (err: unknown) =>
  err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure;

describe('rotateBankCredentials', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  it('rotates end to end: new clientId, old application gone, new secret works, old one does not', async () => {
    const bank = await onboardedBank(world);
    const old = await currentCredential(world, bank.bankGuid);
    const handle = await world.client.startRotation({ bankGuid: bank.bankGuid, gracePeriod: '1s' });
    const result = await handle.result();

    assert.equal(result.previousClientId, bank.application.clientId);
    assert.notEqual(result.clientId, bank.application.clientId);
    assert.equal(result.completedBy, 'grace-period');
    await assert.rejects(world.deps.activityDeps.idp.getBankApplication(result.previousClientId), {
      status: 404,
    });
    const apps = await listBankApplications(world, bank.bankGuid);
    assert.deepEqual(
      apps.map((a) => a.client_id),
      [result.clientId],
    );
    const fresh = await currentCredential(world, bank.bankGuid);
    assert.equal(fresh.clientId, result.clientId);
    assert.ok(await mintsToken(world, result.clientId, fresh.clientSecret));
    assert.equal(await mintsToken(world, bank.application.clientId, old.clientSecret), false);
  });

  it("keeps the application's allowlist, and renews its expiry for the same lifetime", async () => {
    const bankGuid = randomGuid();
    const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
    await (
      await world.client.startOnboarding({
        bankGuid,
        application: { ipAllowlist: ['203.0.114.9/32'], expiresAt },
      })
    ).result();
    const [old] = await listBankApplications(world, bankGuid);
    const lifetime = (app: Application) => Date.parse(app.expires_at!) - Date.parse(app.created_at);
    await (await world.client.startRotation({ bankGuid, gracePeriod: '1s' })).result();
    const [fresh] = await listBankApplications(world, bankGuid);
    assert.notEqual(fresh!.client_id, old!.client_id);
    assert.deepEqual(fresh!.ip_allowlist, ['203.0.114.9/32']);
    assert.ok(Math.abs(lifetime(fresh!) - lifetime(old!)) < 5_000, `lifetime ${lifetime(fresh!)} ms`);
    assert.equal((await currentCredential(world, bankGuid)).expiresAt, fresh!.expires_at);
  });

  it('rolls back when the new credential fails verification: the old one stays current and working', async () => {
    const bank = await onboardedBank(world);
    world.sandbox.setFaults({ dropScopes: ['customers:write'] });
    try {
      const handle = await world.client.startRotation({ bankGuid: bank.bankGuid, gracePeriod: '1s' });
      const err = await handle.result().then(
        () => assert.fail('rotation should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(describeFailure(err), /customers:write/);
    } finally {
      world.sandbox.setFaults({ dropScopes: [] });
    }
    await assertSoleWorkingCredential(world, bank.bankGuid, bank.application.clientId);
  });

  it('rolls back when cancelled during the grace period', async () => {
    const bank = await onboardedBank(world);
    const handle = await world.client.startRotation({ bankGuid: bank.bankGuid, gracePeriod: '1h' });
    while (!(await handle.query(statusQuery)).step.startsWith('waiting')) await sleep(50);
    await handle.cancel();
    await assert.rejects(handle.result(), isCancellation);
    await assertSoleWorkingCredential(world, bank.bankGuid, bank.application.clientId);
  });

  it('accepts completeRotation only while waiting, and then finishes at once', async () => {
    const bank = await onboardedBank(world);
    world.sandbox.setFaults({ latencyMs: 300 });
    const handle = await world.client.startRotation({ bankGuid: bank.bankGuid, gracePeriod: '1h' });
    try {
      await assert.rejects(
        world.client.completeRotation(bank.bankGuid),
        /accepted only while the rotation waits/,
      );
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
    while (!(await handle.query(statusQuery)).step.startsWith('waiting')) await sleep(50);
    await world.client.completeRotation(bank.bankGuid);
    const result = await handle.result();
    assert.equal(result.completedBy, 'operator');
    assert.equal((await listBankApplications(world, bank.bankGuid)).length, 1);
  });

  it('refuses to rotate a bank that was never onboarded', async () => {
    const handle = await world.client.startRotation({ bankGuid: 'f'.repeat(32), gracePeriod: '1s' });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(describeFailure(err), /no current credential/);
      return true;
    });
  });
});
