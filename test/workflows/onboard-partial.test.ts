import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import { describeProgress, FAILURES_LISTED } from '../../src/model/workflow-safe/operations.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import { currentCredential, onboardedBank } from '../support/banks.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications, listUsers, usersRefusingScopes } from '../support/idp.js';

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
    assert.equal(status.failureCount, 1);
  });

  it('lists the first 100 failures in its status and its failure, and counts them all', async () => {
    const refused = Array.from({ length: FAILURES_LISTED + 5 }, (_, i) => `refused-many-${i}@example.com`);
    await usersRefusingScopes(world, refused);

    const handle = await world.client.startOnboarding({
      bankGuid: randomGuid(),
      users: refused.map((email) => ({ email, allowedScopes: ['openid'] })),
    });
    const err = await handle.result().then(
      () => assert.fail('onboarding should fail'),
      (e: unknown) => e,
    );
    assert.match(describeFailure(err), /^UsersNotProvisioned: 105 of 105 users could not be provisioned/);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    const [details] = err.cause.details as [{ failures: unknown[]; failureCount: number }];
    assert.equal(details.failures.length, FAILURES_LISTED);
    assert.equal(details.failureCount, refused.length);

    const status = await handle.query(statusQuery);
    assert.equal(status.failures.length, FAILURES_LISTED);
    assert.equal(status.failureCount, refused.length);
    assert.match(describeProgress(status), / — 105 failed$/);
  });
});
