import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { describeFailure } from '../../src/model/failure.js';
import { statusQuery } from '../../src/model/messages.js';
import { currentCredential, onboardedBank } from '../support/banks.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications, listUsers } from '../support/idp.js';

describe('onboardBank: a user the IdP refuses for good, after partial progress', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  it('keeps the application and the other users, and fails naming the refused user', async () => {
    // A disabled user cannot be updated (the sandbox answers 422): asking for other scopes is refused for good.
    const first = await onboardedBank(world, ['refused@example.com']);
    await (
      await world.client.startDisablingUsers({ users: [first.users[0]!.guid], reason: 'test' })
    ).result();

    const bankGuid = randomGuid();
    const handle = await world.client.startOnboarding({
      bankGuid,
      users: [
        { email: 'fine-1@example.com' },
        { email: 'refused@example.com', allowedScopes: ['openid'] },
        { email: 'fine-2@example.com' },
      ],
    });
    const err = await handle.result().then(
      () => assert.fail('onboarding should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    const message = describeFailure(err);
    assert.match(
      message,
      /^UsersNotProvisioned: 1 of 3 users could not be provisioned: refused@example\.com \(IdpValidationError/,
    );

    // What is kept: the application with its stored secret, and the users that could be provisioned.
    const apps = await listBankApplications(world, bankGuid);
    assert.equal(apps.length, 1);
    const current = await currentCredential(world, bankGuid);
    assert.equal(current.clientId, apps[0]!.client_id);
    const emails = (await listUsers(world)).map((u) => u.email);
    assert.ok(emails.includes('fine-1@example.com') && emails.includes('fine-2@example.com'));

    // What the operator sees: the failure in the status query.
    const status = await handle.query(statusQuery);
    assert.deepEqual(
      status.failures.map((f) => [f.subject, f.type]),
      [['refused@example.com', 'IdpValidationError']],
    );
    assert.deepEqual(status.users, { done: 3, total: 3 });
  });
});
