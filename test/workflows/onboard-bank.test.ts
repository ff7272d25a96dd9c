import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestWorld, capturedLog, randomGuid, type TestWorld } from '../support/env.js';
import { assertNoneInHistories, historyText, stepOf } from '../support/history.js';
import { currentCredential, storedInvite } from '../support/banks.js';
import { listBankApplications, listUsers, sandboxStats } from '../support/idp.js';

describe('onboardBank', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  const secretsSeen: string[] = [];
  const handles: Parameters<typeof historyText>[0][] = [];

  it('onboards a bank with 3 users: one application, 3 users, a stored secret that mints a token', async () => {
    const bankGuid = randomGuid();
    const emails = ['alice@example.com', 'bob@example.com', 'carol@example.com'];
    const handle = await world.client.startOnboarding({
      bankGuid,
      users: emails.map((email, i) => (i === 0 ? { email, allowedScopes: ['users:read'] } : { email })),
    });
    handles.push(handle);
    const result = await handle.result();

    assert.equal(result.bankGuid, bankGuid);
    assert.equal(result.verified, true);
    assert.deepEqual(result.users.map((u) => u.email).sort(), emails);
    assert.ok(result.users.every((u) => u.created && u.inviteRef));
    const apps = await listBankApplications(world, bankGuid);
    assert.equal(apps.length, 1);
    assert.equal(apps[0]!.client_id, result.application.clientId);
    const sandboxUsers = (await listUsers(world)).filter((u) => emails.includes(u.email));
    assert.equal(sandboxUsers.length, 3);
    assert.deepEqual(sandboxUsers.find((u) => u.email === 'alice@example.com')!.allowed_scopes, [
      'users:read',
    ]);

    const secret = await currentCredential(world, bankGuid);
    secretsSeen.push(secret.clientSecret);
    for (const user of result.users) secretsSeen.push((await storedInvite(world, user.inviteRef!)).inviteUrl);
    const token = await world.deps.activityDeps.idp.exchangeClientCredentials({
      clientId: result.application.clientId,
      clientSecret: secret.clientSecret,
      scopes: ['banks:read'],
    });
    assert.ok(token.grantedScopes.includes('banks:read'));
    assert.equal(JSON.stringify(result).includes(secret.clientSecret), false);

    // Run again: same clientId, nothing created.
    const writesBefore = (await sandboxStats(world)).writes;
    const again = await world.client.startOnboarding({ bankGuid, users: emails.map((email) => ({ email })) });
    handles.push(again);
    const second = await again.result();
    assert.equal(second.application.clientId, result.application.clientId);
    assert.ok(second.users.every((u) => !u.created));
    assert.equal((await sandboxStats(world)).writes, writesBefore, 'a repeated onboarding wrote to the IdP');
    assert.equal((await listBankApplications(world, bankGuid)).length, 1);
  });

  it('rejects a second operation on the same bank while one runs', async () => {
    const bankGuid = randomGuid();
    const users = Array.from({ length: 30 }, (_, i) => ({ email: `busy-${i}@example.com` }));
    world.sandbox.setFaults({ latencyMs: 100 });
    try {
      const first = await world.client.startOnboarding({ bankGuid, users });
      handles.push(first);
      await assert.rejects(world.client.startOnboarding({ bankGuid }), {
        name: 'BankBusyError',
        message: new RegExp(`Bank ${bankGuid} already has an operation in progress: onboardBank`),
      });
      await first.result();
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
  });

  it('fails verification when the IdP drops a required scope, and removes the application it created', async () => {
    const bankGuid = randomGuid();
    world.sandbox.setFaults({ dropScopes: ['customers:write'] });
    try {
      const handle = await world.client.startOnboarding({ bankGuid });
      handles.push(handle);
      const err = await handle.result().then(
        () => assert.fail('onboarding should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(describeFailure(err), /customers:write/);
      assert.equal((await listBankApplications(world, bankGuid)).length, 0);
      const versions = await world.deps.secrets.versions(`banks/${bankGuid}/credential`);
      assert.ok(versions.length > 0 && versions.every((v) => v.stage === 'revoked'));
    } finally {
      world.sandbox.setFaults({ dropScopes: [] });
    }
  });

  it('cancelled while creating the application, finishes that step, then removes the unverified application', async () => {
    const bankGuid = randomGuid();
    world.sandbox.setFaults({ latencyMs: 150 });
    try {
      const handle = await world.client.startOnboarding({
        bankGuid,
        users: [{ email: 'cancel@example.com' }],
      });
      handles.push(handle);
      // The application exists as soon as the IdP created it; the step then stores its secret and looks at the
      // bank again (one more request, 150 ms), so the cancellation arrives while the step is running.
      while ((await listBankApplications(world, bankGuid)).length === 0) await sleep(10);
      await handle.cancel();
      await assert.rejects(
        handle.result(),
        (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
      );

      // The application step is an activity that a cancellation never interrupts: it ran to its end, and
      // the workflow saw the cancellation between its steps, before verifying. So, as after a failed
      // verification, the application this run created is removed and its secret revoked, and no user is
      // provisioned. Then the cancelled operation asks who subscribes to its failed event.
      const events = (await handle.fetchHistory()).events ?? [];
      const steps = events.map(stepOf).filter((step) => step !== undefined);
      assert.deepEqual(steps, [
        'checkWorkflowInput',
        'writeAccess',
        'ensureBankApplication',
        'removeBankApplication',
        'revokeStoredCredentials',
        'webhookSubscriptionsFor',
      ]);
      const cancelRequested = events.findIndex((e) => e.workflowExecutionCancelRequestedEventAttributes);
      const applicationScheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'ensureBankApplication',
      )?.eventId;
      const applicationDone = events.findIndex(
        (e) =>
          e.activityTaskCompletedEventAttributes &&
          String(e.activityTaskCompletedEventAttributes.scheduledEventId) === String(applicationScheduled),
      );
      assert.ok(cancelRequested < applicationDone, 'the cancellation arrived while the application step ran');
      assert.equal((await listBankApplications(world, bankGuid)).length, 0);
      const versions = await world.deps.secrets.versions(`banks/${bankGuid}/credential`);
      assert.ok(versions.length > 0 && versions.every((v) => v.stage === 'revoked'));
    } finally {
      world.sandbox.setFaults({ latencyMs: 0 });
    }
  });

  it('leaks no secret, invite URL or access token into history or logs', async () => {
    const orgToken = await world.deps.activityDeps.idp.token();
    const needles = [...secretsSeen, orgToken.accessToken, world.sandbox.orgCredentials.clientSecret];
    assert.ok(needles.length >= 5);
    await assertNoneInHistories(handles, needles, world.deps.dataConverter);
    const log = capturedLog.join('');
    assert.ok(log.length > 0, 'the worker logged nothing at all');
    for (const needle of needles) assert.equal(log.includes(needle), false, 'the worker log holds a secret');
  });
});
