/**
 * A bank of 500 users a person invites (the sandbox on 0.129.1425, assisted): the operation notices them in
 * a bounded number of IdP reads, a walk of the user list (a page per 100 users) per check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkTasks } from '../../src/client/tasks.js';
import type { InviteUsersValues } from '../../src/model/workflow-safe/tasks.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { sandboxStats } from '../support/idp.js';
import { portal, taskOf } from '../support/portal.js';

const USERS = 500;

describe('a bank of 500 users invited by a person', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld({ contract: '0.129.1425', env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    await world.startWorker();
  });
  after(() => world?.close());

  it('is noticed in one walk of the user list: a read per 100 users', async () => {
    const bankGuid = randomGuid();
    const users = Array.from({ length: USERS }, (_, i) => ({
      email: `p${i}-${bankGuid.slice(0, 8)}@example.com`,
    }));
    const handle = await world.client.startOnboarding({ bankGuid, users });
    const person = await portal(world);
    await person.handOverKey(await taskOf(world, bankGuid, 'create-bank-api-key'));
    const task = await taskOf(world, bankGuid, 'invite-users');
    assert.equal((task.values as InviteUsersValues).users.length, USERS);
    await person.invite(users);

    const before = (await sandboxStats(world)).requests;
    const answer = await checkTasks(world.client, bankGuid, 'test operator');
    const reads = (await sandboxStats(world)).requests - before;
    assert.deepEqual(answer.open, []);
    // Five pages of users, and a token at most; no per-user read.
    console.log(`${USERS} invited users noticed in ${reads} IdP requests`);
    assert.ok(reads >= USERS / 100 && reads <= USERS / 100 + 1, `${reads} requests`);

    const result = await handle.result();
    assert.equal(result.users.length, USERS);
    assert.ok(result.users.every((u) => u.created === false && u.guid));
  });
});
