/**
 * Onboarding on today's IdP (the sandbox on contract 0.129.1425, where API keys may only read), the test
 * acting as the person through the sandbox's Portal token: the key created and handed over, the users
 * invited, each checked by reading the IdP; refused submissions; `auto` with a write token source (no task)
 * and `automatic` without one (fails as before).
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { workflowMetadataQuery } from '@temporalio/workflow';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { readCredential } from '../../src/activities/credential-documents.js';
import { checkTasks, NoOpenTaskError, openTasks, submitCredential } from '../../src/client/tasks.js';
import type { OnboardBankResult } from '../../src/model/contract.js';
import { bankCredentialSecretName, credentialSubmissionSecretName } from '../../src/model/secret-names.js';
import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import type { CreateBankApiKeyValues, InviteUsersValues } from '../../src/model/workflow-safe/tasks.js';
import type { onboardBank } from '../../src/workflows/index.js';
import { requestTokenAsService } from '../support/consumer.js';
import { capturedLog, createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { assertNoneInHistories } from '../support/history.js';
import { subscribedReceiver, type WebhookReceiver } from '../support/receiver.js';
import { portal, taskOf, worldWithWriteTokenSource } from '../support/portal.js';

const TODAY = '0.129.1425';

describe('onboardBank when a person writes (0.129.1425)', () => {
  let world: TestWorld;
  const secretsSeen: string[] = [];
  const handles: WorkflowHandle[] = [];
  let receiver: WebhookReceiver;
  before(async () => {
    world = await createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    receiver = await subscribedReceiver(world);
    await world.startWorker();
  });
  after(async () => {
    await world?.close();
    await receiver?.close();
  });

  /** The types of the events about `bankGuid` received so far, once `count` of them are in (sorted). */
  const eventTypes = async (bankGuid: string, count: number) => {
    const mine = () =>
      receiver.bodies
        .map((body) => JSON.parse(body) as { type: string; data: { bankGuid?: string } })
        .filter((event) => event.data.bankGuid === bankGuid);
    for (let i = 0; i < 300 && mine().length < count; i++) await sleep(100);
    return mine()
      .map((event) => event.type)
      .sort();
  };

  it('onboards a bank with 3 users: a person creates and hands over the key, invites the users; refusals lose nothing', async () => {
    const bankGuid = randomGuid();
    const otherBank = randomGuid();
    const users = [
      { email: `a-${bankGuid.slice(0, 8)}@example.com`, allowedScopes: ['banks:read' as const] },
      { email: `b-${bankGuid.slice(0, 8)}@example.com` },
      {
        email: `c-${bankGuid.slice(0, 8)}@example.com`,
        allowedScopes: ['banks:read' as const, 'users:read' as const],
      },
    ];
    const handle = await world.client.startOnboarding({
      bankGuid,
      users,
      application: { ipAllowlist: ['203.0.114.7/32'] },
    });
    handles.push(handle);
    const person = await portal(world);
    secretsSeen.push(person.token);

    const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
    const asked = keyTask.values as CreateBankApiKeyValues;
    assert.equal(asked.bankGuid, bankGuid);
    assert.match(
      asked.name,
      /^bank-[0-9a-f]{32} \[op [0-9a-f]{12}\]$/,
      'the name keeps the operation marker',
    );
    assert.deepEqual(asked.ipAllowlist, ['203.0.114.7/32']);
    assert.match(asked.expiresAt, /T00:00:00\.000Z$/, 'a date the Portal can take');
    assert.ok(keyTask.instructions.includes(asked.name));
    assert.ok(Date.parse(keyTask.deadline) - Date.parse(keyTask.requestedAt) === 7 * 86_400_000);
    assert.deepEqual(
      (await handle.query(statusQuery)).writes?.map((w) => w.writer),
      ['person', 'person'],
    );
    // The Web UI's current details say what to do, too.
    const details = (await handle.query(workflowMetadataQuery)).currentDetails ?? '';
    assert.ok(details.includes(`create-bank-api-key, task \`${keyTask.taskId}\``), details);
    assert.ok(details.includes(keyTask.instructions));

    // A submission for a bank whose operation waits for nothing.
    await assert.rejects(
      submitCredential(world.client, world.deps.secrets, otherBank, {
        clientId: 'nothing',
        clientSecret: 'nothing-secret',
        by: 'test person',
      }),
      (err) => err instanceof NoOpenTaskError && /no operation is running/.test(err.message),
    );

    // A key of another bank, a key with another name, an expired key, then the right key with a wrong secret.
    const foreign = await person.createKey({ ...asked, bankGuid: otherBank });
    const misnamed = await person.createKey({ ...asked, name: 'a name of my own' });
    const expiring = await person.createKey({
      ...asked,
      expiresAt: new Date(Date.now() + 2_000).toISOString(),
    });
    const key = await person.createKey(asked);
    secretsSeen.push(foreign.secret, misnamed.secret, expiring.secret, key.secret);
    await sleep(2_500);
    const refusals: [string, string, RegExp][] = [
      [foreign.clientId, foreign.secret, /not among bank/],
      [misnamed.clientId, misnamed.secret, /is named "a name of my own"; the task asks for exactly/],
      [expiring.clientId, expiring.secret, /expired at/],
      [key.clientId, 'not-the-secret', /does not mint a token/],
    ];
    for (const [clientId, clientSecret, reason] of refusals) {
      const answer = await submitCredential(world.client, world.deps.secrets, bankGuid, {
        clientId,
        clientSecret,
        by: 'test person',
      });
      assert.equal(answer.accepted, false);
      assert.match((answer as { reason: string }).reason, reason);
    }
    const submissions = await world.deps.secrets.versions(credentialSubmissionSecretName(bankGuid));
    assert.equal(submissions.length, 4);
    assert.ok(
      submissions.every((v) => v.stage === 'revoked'),
      'every refused secret is revoked',
    );
    const stillOpen = await taskOf(world, bankGuid, 'create-bank-api-key');
    assert.match(stillOpen.lastProblem ?? '', /does not mint a token/, 'the task stays open and says why');

    // The right key, handed over twice: one result.
    const accepted = await submitCredential(world.client, world.deps.secrets, bankGuid, {
      clientId: key.clientId,
      clientSecret: key.secret,
      by: 'test person',
    });
    assert.deepEqual(accepted, {
      accepted: true,
      taskId: keyTask.taskId,
      clientId: key.clientId,
      secretRef: world.deps.secrets.ref(bankCredentialSecretName(bankGuid)),
    });

    // The users: the operation notices them by reading the IdP, at once on a check.
    const inviteTask = await taskOf(world, bankGuid, 'invite-users');
    const again = await submitCredential(world.client, world.deps.secrets, bankGuid, {
      clientId: key.clientId,
      clientSecret: key.secret,
      by: 'test person',
    });
    assert.deepEqual(again, accepted, 'the same key handed over again: the same answer');
    const afterAcceptance = await world.deps.secrets.versions(credentialSubmissionSecretName(bankGuid));
    assert.equal(afterAcceptance.length, 6);
    assert.ok(
      afterAcceptance.every((v) => v.stage === 'revoked'),
      'an accepted secret lives on in the credential only',
    );
    const credentialVersions = await world.deps.secrets.versions(bankCredentialSecretName(bankGuid));
    assert.equal(credentialVersions.length, 1, 'one credential, however often it was handed over');
    assert.deepEqual((inviteTask.values as InviteUsersValues).users, users);
    await person.invite(users.slice(0, 2));
    const partial = await checkTasks(world.client, bankGuid, 'test operator');
    assert.deepEqual(
      partial.open.map((t) => t.taskId),
      [inviteTask.taskId],
    );
    assert.match(partial.open[0]!.lastProblem ?? '', /1 of 3 users not yet as asked: c-/);
    await person.invite(users.slice(2));
    const done = await checkTasks(world.client, bankGuid, 'test operator');
    assert.deepEqual(done.open, []);

    const result: OnboardBankResult = await handle.result();
    assert.equal(result.application.clientId, key.clientId);
    assert.equal(result.verified, true);
    assert.deepEqual(
      result.users.map((u) => [u.email, u.created, u.inviteRef]),
      users.map((u) => [u.email, false, undefined]),
      'users a person invited are not reported as created by the worker, and have no invite URL',
    );
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [
        ['create-bank-api-key', 'test person', 'verified'],
        ['invite-users', 'test operator', 'verified'],
      ],
    );
    assert.ok(result.tasks?.every((t) => !Number.isNaN(Date.parse(t.at))));

    assert.deepEqual(await eventTypes(bankGuid, 5), [
      'bank.onboarded',
      'task.completed',
      'task.completed',
      'task.requested',
      'task.requested',
    ]);

    // The stored credential works, as a bank's service uses it.
    const credential = await readCredential(world.deps.secrets, bankCredentialSecretName(bankGuid));
    assert.equal(credential.clientId, key.clientId);
    assert.equal((await requestTokenAsService(credential)).status, 200);
    // Nothing waits for a person any more.
    assert.deepEqual(await openTasks(world.client, { bankGuid }), []);
    await assert.rejects(
      submitCredential(world.client, world.deps.secrets, bankGuid, {
        clientId: key.clientId,
        clientSecret: key.secret,
        by: 'test person',
      }),
      NoOpenTaskError,
    );
  });

  it('a key handed over while no worker runs is answered once one is back, and accepted once', async () => {
    const bankGuid = randomGuid();
    const handle = await world.client.startOnboarding({ bankGuid });
    handles.push(handle);
    const task = await taskOf(world, bankGuid, 'create-bank-api-key');
    const person = await portal(world);
    const key = await person.createKey(task.values as CreateBankApiKeyValues);
    secretsSeen.push(person.token, key.secret);
    await world.stopWorker();
    let worker: Promise<unknown> | undefined;
    try {
      const submitted = submitCredential(world.client, world.deps.secrets, bankGuid, {
        clientId: key.clientId,
        clientSecret: key.secret,
        by: 'test person',
      });
      await sleep(1_000);
      worker = world.startWorker();
      assert.equal((await submitted).accepted, true);
    } finally {
      await (worker ?? world.startWorker());
    }
    const result = await handle.result();
    assert.equal(result.application.clientId, key.clientId);
    assert.deepEqual(
      result.tasks?.map((t) => t.taskId),
      [task.taskId],
    );
    const versions = await world.deps.secrets.versions(bankCredentialSecretName(bankGuid));
    assert.deepEqual(
      versions.map((v) => v.stage),
      ['current'],
    );
  });

  it('leaks no secret or token into history, logs or webhook bodies', async () => {
    const orgToken = await world.deps.activityDeps.idp.token();
    const needles = [...secretsSeen, orgToken.accessToken, world.sandbox.orgCredentials.clientSecret];
    assert.ok(needles.length >= 6);
    await assertNoneInHistories(handles, needles, world.deps.dataConverter);
    const log = capturedLog.join('');
    for (const needle of needles) assert.equal(log.includes(needle), false, 'the worker log holds a secret');
    assert.ok(receiver.bodies.length >= 5, 'webhook events were received');
    for (const needle of needles)
      assert.equal(
        receiver.bodies.some((body) => body.includes(needle)),
        false,
        'a webhook body holds a secret',
      );
  });
});

describe('onboardBank in auto and automatic mode (0.129.1425)', () => {
  it('auto with a write token source: the worker makes the writes, no task', async () => {
    const world = await worldWithWriteTokenSource();
    try {
      await world.startWorker();
      const bankGuid = randomGuid();
      const handle = await world.client.startOnboarding({
        bankGuid,
        users: [{ email: `auto-${bankGuid.slice(0, 8)}@example.com` }],
      });
      const result = await handle.result();
      assert.equal(result.tasks, undefined);
      assert.equal(result.users[0]!.created, true);
      const writes = (await handle.query(statusQuery)).writes ?? [];
      assert.deepEqual(
        writes.map((w) => w.writer),
        ['worker', 'worker'],
      );
      assert.match(writes[0]!.reason, /write token source/);
    } finally {
      await world.close();
    }
  });

  it('automatic without a write token source: fails at the first write, as before', async () => {
    const world = await createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'automatic' } });
    try {
      await world.startWorker();
      const handle = await world.client.startOnboarding({ bankGuid: randomGuid() });
      await assert.rejects(
        world.client.client.workflow.getHandle<typeof onboardBank>(handle.workflowId).result(),
        (err) =>
          err instanceof WorkflowFailedError &&
          /IdpWriteNotPermitted: createBankApplication needs the scope bank_applications:execute/.test(
            describeFailure(err),
          ),
      );
    } finally {
      await world.close();
    }
  });
});
