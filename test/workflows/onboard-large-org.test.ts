import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { sandboxStats } from '../support/idp.js';

const ORG_USERS = 100_000;
const PAGES = ORG_USERS / 100;

describe('users of an organization of 100,000', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    const seeded = await fetch(`${world.sandbox.url}/__sandbox/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: ORG_USERS, emailPrefix: 'org-', emailDomain: 'big.example.com' }),
    });
    assert.deepEqual(await seeded.json(), { inserted: ORG_USERS, total: ORG_USERS });
    await world.startWorker();
  });
  after(() => world.close());

  it('finds users created elsewhere by walking the user list, resuming through faults; a re-run asks the ledger', async () => {
    // 150 users spread over the whole list, that someone else created, and 10 new ones.
    const existing = Array.from({ length: 150 }, (_, k) => `org-${k * 666}@big.example.com`);
    const fresh = Array.from({ length: 10 }, (_, k) => `new-${k}@big.example.com`);
    const input = { bankGuid: randomGuid(), users: [...existing, ...fresh].map((email) => ({ email })) };

    const before = await sandboxStats(world);
    world.sandbox.setFaults({ errorRate: 0.2, seed: 3 });
    let result;
    try {
      result = await (await world.client.startOnboarding(input)).result();
    } finally {
      world.sandbox.setFaults({ errorRate: 0 });
    }
    const requests = (await sandboxStats(world)).requests - before.requests;
    assert.deepEqual(
      result.users.filter((u) => !u.created).map((u) => u.email),
      existing,
    );
    assert.deepEqual(
      result.users.filter((u) => u.created).map((u) => u.email),
      fresh,
    );
    // Two batches, each walking the list once: a walk resumed after each failure, not restarted.
    console.log(`${requests} IdP requests for 2 walks of ${PAGES} pages and 160 users at 20% 5xx`);
    assert.ok(requests < 2 * (2 * PAGES + 160), `${requests} requests: the walks started over`);

    const rerunBefore = await sandboxStats(world);
    const rerun = await (await world.client.startOnboarding(input)).result();
    const rerunStats = await sandboxStats(world);
    assert.ok(rerun.users.every((u) => !u.created));
    assert.deepEqual(
      rerun.users.map((u) => u.guid),
      result.users.map((u) => u.guid),
    );
    assert.equal(rerunStats.writes, rerunBefore.writes, 'the re-run wrote to the IdP');
    assert.ok(rerunStats.requests - rerunBefore.requests < 200, 'the re-run walked the user list');
  });

  it('disableUsers resolves emails of users created elsewhere by walking the list', async () => {
    const emails = ['org-5@big.example.com', 'org-54321@big.example.com', 'org-99998@big.example.com'];
    const result = await (await world.client.startDisablingUsers({ users: emails, reason: 'test' })).result();
    assert.deepEqual(
      result.disabled.map((d) => d.user),
      emails,
    );
    assert.deepEqual(result.notFound, []);
  });
});
