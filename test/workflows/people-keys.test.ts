/**
 * A bank's API keys on today's IdP (the sandbox on contract 0.129.1425, where API keys may only read), the
 * test acting as the person through the sandbox's Portal token: a rotation whose new key a person creates
 * and hands over and whose old key a person deletes (the bank's stored credential minting a token before,
 * during and after), a revocation (the stored secret revoked at once, one delete-bank-api-key task per key,
 * completed by `tasks check`), offboarding (keys and users); `auto` with a write token source opens no task.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { readCredential } from '../../src/activities/credential-documents.js';
import {
  checkTasks,
  confirmTask,
  NoOpenTaskError,
  openTasks,
  submitCredential,
} from '../../src/client/tasks.js';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import type {
  CreateBankApiKeyValues,
  DeleteBankApiKeyValues,
  DisableUsersValues,
} from '../../src/model/workflow-safe/tasks.js';
import { SecretRevoked } from '../../src/secrets/index.js';
import type { rotateBankCredentials } from '../../src/workflows/index.js';
import { requestTokenAsService } from '../support/consumer.js';
import { capturedLog, createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { assertNoneInHistories } from '../support/history.js';
import { portal, taskOf, tasksOf, worldWithWriteTokenSource } from '../support/portal.js';

const TODAY = '0.129.1425';

type Person = Awaited<ReturnType<typeof portal>>;

describe('bank API keys when a person writes (0.129.1425, assisted)', () => {
  let world: TestWorld;
  let person: Person;
  const secretsSeen: string[] = [];
  const handles: WorkflowHandle[] = [];
  before(async () => {
    world = await createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    await world.startWorker();
    person = await portal(world);
    secretsSeen.push(person.token);
  });
  after(() => world?.close());

  /** Onboards `bankGuid` as a person does it (the key created and handed over); answers the key. */
  const onboardByPerson = async (bankGuid: string) => {
    const handle = await world.client.startOnboarding({ bankGuid });
    handles.push(handle);
    const key = await person.handOverKey(await taskOf(world, bankGuid, 'create-bank-api-key'));
    secretsSeen.push(key.secret);
    assert.equal(key.answer.accepted, true);
    await handle.result();
    return key;
  };
  const storedCredential = (bankGuid: string) =>
    readCredential(world.deps.secrets, bankCredentialSecretName(bankGuid));
  const mints = async (credential: Awaited<ReturnType<typeof storedCredential>>) =>
    (await requestTokenAsService(credential)).status === 200;

  it('rotates: a person creates the new key and deletes the old; the stored credential works throughout', async () => {
    const bankGuid = randomGuid();
    const oldKey = await onboardByPerson(bankGuid);
    const before = await storedCredential(bankGuid);
    assert.equal(before.clientId, oldKey.clientId);
    assert.ok(await mints(before), 'before the rotation');

    const handle = await world.client.startRotation({ bankGuid, gracePeriod: '1h' });
    handles.push(handle);
    const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
    const asked = keyTask.values as CreateBankApiKeyValues;
    assert.equal(asked.bankGuid, bankGuid);
    assert.match(asked.name, /\[op [0-9a-f]{12}\]$/, 'the name keeps the operation marker');
    assert.deepEqual(
      (await handle.query(statusQuery)).writes?.map((w) => [w.operation, w.writer]),
      [
        ['createBankApplication', 'person'],
        ['deleteBankApplication', 'person'],
      ],
    );
    const waiting = await storedCredential(bankGuid);
    assert.equal(waiting.clientId, oldKey.clientId, 'the current credential stays while a person acts');
    assert.ok(await mints(waiting));

    const newKey = await person.createKey(asked);
    secretsSeen.push(newKey.secret);
    const answer = await submitCredential(world.client, world.deps.secrets, bankGuid, {
      clientId: newKey.clientId,
      clientSecret: newKey.secret,
      by: 'test person',
    });
    assert.equal(answer.accepted, true);
    const again = await submitCredential(world.client, world.deps.secrets, bankGuid, {
      clientId: newKey.clientId,
      clientSecret: newKey.secret,
      by: 'test person',
    });
    assert.deepEqual(again, answer, 'handed over twice: one result');

    // The grace period: the new key is current, the old one still works.
    for (let i = 0; i < 300 && !/^waiting 1h/.test((await handle.query(statusQuery)).step); i++)
      await sleep(100);
    const during = await storedCredential(bankGuid);
    assert.equal(during.clientId, newKey.clientId);
    assert.ok(await mints(during), 'the new credential during the grace period');
    assert.ok(await mints(before), 'the old credential during the grace period');
    await world.client.completeRotation(bankGuid);

    // The old key: a person deletes it, and a read shows it gone (its stored secret no longer mints).
    const deleteTask = await taskOf(world, bankGuid, 'delete-bank-api-key');
    const toDelete = deleteTask.values as DeleteBankApiKeyValues;
    assert.equal(toDelete.clientId, oldKey.clientId);
    assert.equal(toDelete.name, before.applicationName);
    assert.ok(deleteTask.instructions.includes(toDelete.guid), deleteTask.instructions);
    const notYet = await checkTasks(world.client, bankGuid, 'test operator');
    assert.match(notYet.open[0]?.lastProblem ?? '', /still listed for bank/);
    assert.ok(await mints(before), 'the old key is not deleted yet');
    await person.deleteKey(toDelete);
    const done = await checkTasks(world.client, bankGuid, 'test operator');
    assert.deepEqual(done.open, []);

    const result = await handle.result();
    assert.equal(result.previousClientId, oldKey.clientId);
    assert.equal(result.clientId, newKey.clientId);
    assert.equal(result.completedBy, 'operator');
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [
        ['create-bank-api-key', 'test person', 'verified'],
        ['delete-bank-api-key', 'test operator', 'verified'],
      ],
    );
    const afterwards = await storedCredential(bankGuid);
    assert.equal(afterwards.clientId, newKey.clientId);
    assert.ok(await mints(afterwards), 'the new credential after the rotation');
    assert.equal(await mints(before), false, 'the old key is gone');
    const stages = (await world.deps.secrets.versions(bankCredentialSecretName(bankGuid))).map(
      (v) => v.stage,
    );
    assert.deepEqual(
      stages,
      ['revoked', 'current'],
      'the old stored secret is revoked, the new one stored once',
    );
  });

  it('a scheduled rotation goes the same way: its tasks under the bank, the rotation finished by a person', async () => {
    const bankGuid = randomGuid();
    const oldKey = await onboardByPerson(bankGuid);
    const { scheduleId } = await world.client.scheduleRotation(bankGuid, '90d', '1s');
    const schedule = world.client.client.schedule.getHandle(scheduleId);
    try {
      await schedule.trigger();
      const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
      const newKey = await person.handOverKey(keyTask);
      secretsSeen.push(newKey.secret);
      const deleteTask = await taskOf(world, bankGuid, 'delete-bank-api-key');
      assert.equal((deleteTask.values as DeleteBankApiKeyValues).clientId, oldKey.clientId);
      await person.deleteKey(deleteTask.values as DeleteBankApiKeyValues);
      await checkTasks(world.client, bankGuid, 'test operator');
      const rotation = world.client.client.workflow.getHandle<typeof rotateBankCredentials>(
        `bank-${bankGuid}`,
      );
      handles.push(rotation);
      const result = await rotation.result();
      assert.equal(result.clientId, newKey.clientId);
      assert.deepEqual(
        result.tasks?.map((t) => t.kind),
        ['create-bank-api-key', 'delete-bank-api-key'],
      );
      assert.ok(await mints(await storedCredential(bankGuid)));
    } finally {
      await schedule.delete();
    }
  });

  it('a rotation cancelled in its grace period: the old key current again, the new key revoked at once and deleted by a person', async () => {
    const bankGuid = randomGuid();
    const oldKey = await onboardByPerson(bankGuid);
    const old = await storedCredential(bankGuid);
    const handle = await world.client.startRotation({ bankGuid, gracePeriod: '1h' });
    handles.push(handle);
    const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
    const newKey = await person.handOverKey(keyTask);
    secretsSeen.push(newKey.secret);
    for (let i = 0; i < 300 && !/^waiting 1h/.test((await handle.query(statusQuery)).step); i++)
      await sleep(100);
    await handle.cancel();

    const deleteTask = await taskOf(world, bankGuid, 'delete-bank-api-key');
    assert.equal((deleteTask.values as DeleteBankApiKeyValues).clientId, newKey.clientId);
    // Nothing the worker keeps uses the new key any more; the old one is current and works.
    const current = await storedCredential(bankGuid);
    assert.equal(current.clientId, oldKey.clientId);
    assert.ok(await mints(current));
    const stages = await world.deps.secrets.versions(bankCredentialSecretName(bankGuid));
    assert.deepEqual(
      stages.map((v) => v.stage),
      ['current', 'revoked'],
      "the new key's stored secret is revoked before the person deletes it",
    );
    await person.deleteKey(deleteTask.values as DeleteBankApiKeyValues);
    await checkTasks(world.client, bankGuid, 'test operator');
    await assert.rejects(
      handle.result(),
      (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure,
    );
    const [create, remove] = (await handle.query(statusQuery)).tasks ?? [];
    assert.equal(create?.state, 'completed');
    assert.equal(remove?.state, 'completed');
    assert.ok(await mints(old), 'the old key was never deleted');
  });

  it('revokes: the stored secret at once, then one delete-bank-api-key task per key; `tasks check` completes them', async () => {
    const bankGuid = randomGuid();
    const stored = await onboardByPerson(bankGuid);
    // A second key of the bank, made in the Portal (the worker keeps no secret of it).
    const asked: CreateBankApiKeyValues = {
      bankGuid,
      name: 'made in the Portal',
      ipAllowlist: [],
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
    const other = await person.createKey(asked);
    secretsSeen.push(other.secret);
    const credential = await storedCredential(bankGuid);

    const handle = await world.client.startRevocation({ bankGuid, reason: 'key leaked' });
    handles.push(handle);
    const tasks = await tasksOf(world, bankGuid, 'delete-bank-api-key', 2);
    const values = tasks.map((t) => t.values as DeleteBankApiKeyValues);
    assert.deepEqual(values.map((v) => v.clientId).sort(), [stored.clientId, other.clientId].sort());
    // An emergency: the stored secret is revoked before the person deletes anything.
    await assert.rejects(storedCredential(bankGuid), SecretRevoked);
    assert.ok(await mints(credential), 'the key itself still works until the person deletes it');

    // A read shows a deletion: `tasks done` is refused.
    await assert.rejects(
      confirmTask(world.client, tasks[0]!.taskId, 'test person'),
      (err) =>
        err instanceof NoOpenTaskError && /is checked by reading the IdP, not confirmed/.test(err.message),
    );

    await person.deleteKey(values[0]!);
    const partial = await checkTasks(world.client, bankGuid, 'test operator');
    assert.deepEqual(
      partial.open.map((t) => t.taskId),
      [tasks[1]!.taskId],
      'every open task is checked: the deleted key completes its own',
    );
    assert.deepEqual(partial.completed, [tasks[0]!.taskId]);
    await person.deleteKey(values[1]!);
    assert.deepEqual((await checkTasks(world.client, bankGuid, 'test operator')).open, []);

    const result = await handle.result();
    assert.deepEqual([...result.revokedClientIds].sort(), [stored.clientId, other.clientId].sort());
    assert.deepEqual(result.notFoundClientIds, []);
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [
        ['delete-bank-api-key', 'test operator', 'verified'],
        ['delete-bank-api-key', 'test operator', 'verified'],
      ],
    );
    assert.equal(await mints(credential), false);
    assert.deepEqual(await openTasks(world.client, { bankGuid }), []);
  });

  it('offboards: a person deletes the keys and disables the users', async () => {
    const bankGuid = randomGuid();
    const key = await onboardByPerson(bankGuid);
    const email = `off-${bankGuid.slice(0, 8)}@example.com`;
    const guid = await person.inviteOne(email);
    await world.deps.ledger.recordUsers(bankGuid, [{ email, guid }]);
    const handle = await world.client.startOffboarding({ bankGuid, reason: 'contract ended' });
    handles.push(handle);

    const deleteTask = await taskOf(world, bankGuid, 'delete-bank-api-key');
    await assert.rejects(storedCredential(bankGuid), SecretRevoked);
    await person.deleteKey(deleteTask.values as DeleteBankApiKeyValues);
    await checkTasks(world.client, bankGuid, 'test operator');
    const disableTask = await taskOf(world, bankGuid, 'disable-users');
    await person.disable((disableTask.values as DisableUsersValues).users);
    await confirmTask(world.client, disableTask.taskId, 'test person');

    const result = await handle.result();
    assert.deepEqual(result.revokedClientIds, [key.clientId]);
    assert.deepEqual(result.disabledUserGuids, [guid]);
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [
        ['delete-bank-api-key', 'test operator', 'verified'],
        ['disable-users', 'test person', 'confirmed'],
      ],
    );
    assert.notEqual(await person.disabledAt(guid), null);
    assert.deepEqual(
      (await handle.query(statusQuery)).writes?.map((w) => [w.operation, w.writer]),
      [
        ['deleteBankApplication', 'person'],
        ['disableUser', 'person'],
      ],
      'the status shows who makes each kind of write',
    );
  });

  it('leaks no secret or token into history or logs', async () => {
    const orgToken = await world.deps.activityDeps.idp.token();
    const needles = [...secretsSeen, orgToken.accessToken, world.sandbox.orgCredentials.clientSecret];
    assert.ok(needles.length >= 7);
    await assertNoneInHistories(handles, needles, world.deps.dataConverter);
    const log = capturedLog.join('');
    for (const needle of needles) assert.equal(log.includes(needle), false, 'the worker log holds a secret');
  });
});

describe('bank API keys in auto mode with a write token source (0.129.1425)', () => {
  it('rotation and revocation finish with no task', async () => {
    const world = await worldWithWriteTokenSource();
    try {
      await world.startWorker();
      const bankGuid = randomGuid();
      await (await world.client.startOnboarding({ bankGuid })).result();
      const rotation = await world.client.startRotation({ bankGuid, gracePeriod: '1s' });
      const rotated = await rotation.result();
      assert.equal(rotated.tasks, undefined);
      const writes = (await rotation.query(statusQuery)).writes ?? [];
      assert.deepEqual(
        writes.map((w) => w.writer),
        ['worker', 'worker'],
      );
      assert.match(writes[1]!.reason, /write token source/);
      const revoked = await (await world.client.startRevocation({ bankGuid, reason: 'test' })).result();
      assert.deepEqual(revoked, { bankGuid, revokedClientIds: [rotated.clientId], notFoundClientIds: [] });
    } finally {
      await world.close();
    }
  });
});
