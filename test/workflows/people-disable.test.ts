/**
 * disableUsers on today's IdP (the sandbox on contract 0.129.1425, where API keys may only read): in
 * assisted mode one disable-users task, the test acting as the person through the sandbox's Portal token
 * (the users really disabled), then confirming it (`tasks done`'s client call): the users are reported
 * confirmed, with who and when. A confirmation of no task, or of one already done, gets a clear answer; an
 * unknown email fails before any task; offboardBank's users go the same way; `auto` with a write token
 * source disables with no task, and `automatic` without one fails as before. No secret or token reaches history or the worker's log.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { confirmTask, NoOpenTaskError, openTasks } from '../../src/client/tasks.js';
import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import type { DisableUsersValues } from '../../src/model/workflow-safe/tasks.js';
import { capturedLog, createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { assertNoneInHistories } from '../support/history.js';
import { portal, taskOf, worldWithWriteTokenSource } from '../support/portal.js';

const TODAY = '0.129.1425';

describe('disableUsers when a person writes (0.129.1425, assisted)', () => {
  let world: TestWorld;
  const secretsSeen: string[] = [];
  const handles: WorkflowHandle[] = [];
  before(async () => {
    world = await createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    await world.startWorker();
  });
  after(() => world?.close());

  it('one disable-users task: the person disables the users in the Portal and confirms; the result says confirmed', async () => {
    const bankGuid = randomGuid();
    const person = await portal(world);
    secretsSeen.push(person.token);
    const emails = [`d1-${bankGuid.slice(0, 8)}@example.com`, `d2-${bankGuid.slice(0, 8)}@example.com`];
    const guids = [await person.inviteOne(emails[0]!), await person.inviteOne(emails[1]!)];
    const unknownGuid = randomGuid();
    const handle = await world.client.startDisablingUsers({
      bankGuid,
      // The second user by guid, the first twice (by email and by guid): one entry each in the task.
      users: [emails[0]!, guids[1]!, guids[0]!, unknownGuid],
      reason: 'left the bank',
    });
    handles.push(handle);

    const task = await taskOf(world, bankGuid, 'disable-users');
    const asked = (task.values as DisableUsersValues).users;
    assert.deepEqual(asked, [
      { email: emails[0], guid: guids[0] },
      { email: emails[1], guid: guids[1] },
    ]);
    for (const email of emails) assert.ok(task.instructions.includes(email), task.instructions);
    assert.ok(
      task.instructions.includes(`provisioner tasks done ${task.taskId} --by`),
      'names its own task id',
    );
    const status = await handle.query(statusQuery);
    assert.deepEqual(
      status.writes?.map((w) => [w.operation, w.writer]),
      [['disableUser', 'person']],
    );

    // The person disables them in the Portal: the IdP really has them disabled, and the task waits on.
    await person.disable(asked);
    for (const guid of guids) assert.notEqual(await person.disabledAt(guid), null);
    assert.deepEqual(
      (await openTasks(world.client, { bankGuid })).map((t) => t.taskId),
      [task.taskId],
      'no read can show a disabled user: the task stays open until a person confirms it',
    );

    // Confirmations that are not of an open task.
    await assert.rejects(
      confirmTask(world.client, `${handle.workflowId}~9`, 'test person'),
      (err) => err instanceof NoOpenTaskError && /has no task .*~9/.test(err.message),
    );
    assert.throws(
      () => confirmTask(world.client, 'no-task-id', 'test person'),
      (err) => err instanceof NoOpenTaskError && /is not a task id/.test(err.message),
    );

    assert.deepEqual(await confirmTask(world.client, task.taskId, 'test person'), {
      taskId: task.taskId,
      evidence: 'confirmed',
    });
    const result = await handle.result();
    assert.deepEqual(result.disabled, [
      { user: emails[0], guid: guids[0] },
      { user: guids[1], guid: guids[1] },
      { user: guids[0], guid: guids[0] },
    ]);
    assert.deepEqual(result.notFound, [unknownGuid]);
    assert.deepEqual(
      result.tasks?.map((t) => [t.taskId, t.kind, t.by, t.evidence]),
      [[task.taskId, 'disable-users', 'test person', 'confirmed']],
    );
    assert.ok(!Number.isNaN(Date.parse(result.tasks[0]!.at)));
    assert.equal(
      JSON.stringify(result).includes('verified'),
      false,
      'a person confirmed it: nothing verified',
    );

    // Confirmed again once done: a clear answer, nothing changes.
    await assert.rejects(
      confirmTask(world.client, task.taskId, 'test person'),
      (err) =>
        err instanceof NoOpenTaskError &&
        // Finished operations are answered as not running, or as finished, by the server's words.
        /no operation is running|its operation has finished/.test(err.message),
    );
  });

  it('an unknown email fails before any task is opened, as before', async () => {
    const bankGuid = randomGuid();
    const handle = await world.client.startDisablingUsers({
      bankGuid,
      users: [`nobody-${bankGuid.slice(0, 8)}@example.com`],
      reason: 'left the bank',
    });
    handles.push(handle);
    await assert.rejects(
      handle.result(),
      (err) =>
        err instanceof WorkflowFailedError &&
        /UnknownUser: No IdP user has the email nobody-/.test(describeFailure(err)),
    );
    assert.equal((await handle.query(statusQuery)).tasks, undefined);
  });

  it('offboardBank: its users go to one disable-users task the person confirms', async () => {
    const bankGuid = randomGuid();
    const person = await portal(world);
    const emails = [`o1-${bankGuid.slice(0, 8)}@example.com`, `o2-${bankGuid.slice(0, 8)}@example.com`];
    const guids = [await person.inviteOne(emails[0]!), await person.inviteOne(emails[1]!)];
    // As onboarding by a person records the users it found (the bank has no API key: nothing to delete).
    await world.deps.ledger.recordUsers(
      bankGuid,
      emails.map((email, i) => ({ email, guid: guids[i]! })),
    );
    const handle = await world.client.startOffboarding({ bankGuid, reason: 'contract ended' });
    handles.push(handle);
    const task = await taskOf(world, bankGuid, 'disable-users');
    const asked = (task.values as DisableUsersValues).users;
    assert.deepEqual(
      [...asked].sort((a, b) => a.email.localeCompare(b.email)),
      emails.map((email, i) => ({ email, guid: guids[i] })),
    );
    await person.disable(asked);
    await confirmTask(world.client, task.taskId, 'test person');
    const result = await handle.result();
    assert.deepEqual(result.revokedClientIds, []);
    assert.deepEqual([...result.disabledUserGuids].sort(), [...guids].sort());
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [['disable-users', 'test person', 'confirmed']],
    );
    for (const guid of guids) assert.notEqual(await person.disabledAt(guid), null);
  });

  it('leaks no secret or token into history or logs', async () => {
    const orgToken = await world.deps.activityDeps.idp.token();
    const needles = [...secretsSeen, orgToken.accessToken, world.sandbox.orgCredentials.clientSecret];
    await assertNoneInHistories(handles, needles, world.deps.dataConverter);
    const log = capturedLog.join('');
    for (const needle of needles) assert.equal(log.includes(needle), false, 'the worker log holds a secret');
  });
});

describe('disableUsers in auto and automatic mode (0.129.1425)', () => {
  it('auto with a write token source: the worker disables the users, no task', async () => {
    const world = await worldWithWriteTokenSource();
    try {
      await world.startWorker();
      const person = await portal(world);
      const email = `auto-${randomGuid().slice(0, 8)}@example.com`;
      const guid = await person.inviteOne(email);
      const handle = await world.client.startDisablingUsers({ users: [email], reason: 'left' });
      const result = await handle.result();
      assert.deepEqual(result, { disabled: [{ user: email, guid }], notFound: [] });
      assert.notEqual(await person.disabledAt(guid), null);
      const writes = (await handle.query(statusQuery)).writes ?? [];
      assert.deepEqual(
        writes.map((w) => w.writer),
        ['worker'],
      );
      assert.match(writes[0]!.reason, /write token source/);
    } finally {
      await world.close();
    }
  });

  it('automatic without a write token source: fails at the disable, as before', async () => {
    const world = await createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'automatic' } });
    try {
      await world.startWorker();
      const person = await portal(world);
      const email = `automatic-${randomGuid().slice(0, 8)}@example.com`;
      const guid = await person.inviteOne(email);
      const handle = await world.client.startDisablingUsers({ users: [email], reason: 'left' });
      await assert.rejects(
        handle.result(),
        (err) =>
          err instanceof WorkflowFailedError &&
          /IdpWriteNotPermitted: disableUser needs the scope users:execute/.test(describeFailure(err)),
      );
      assert.equal(await person.disabledAt(guid), null);
    } finally {
      await world.close();
    }
  });
});
