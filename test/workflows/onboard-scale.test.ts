/**
 * History at scale, measured: a 2,000-user onboarding beside one without users. What is asserted is what
 * was measured here: how many events and bytes the users added, per batch and per user.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BATCH_SIZE } from '../../src/workflows/batches.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { historyText } from '../support/history.js';

const USERS = 2_000;

describe('onboardBank at scale', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  const onboard = async (users: { email: string }[]) => {
    const started = Date.now();
    const handle = await world.client.startOnboarding({ bankGuid: randomGuid(), users });
    const result = await handle.result();
    const seconds = (Date.now() - started) / 1000;
    return { result, seconds, ...(await historyText(handle, world.deps.dataConverter)) };
  };

  it(`onboards ${USERS} users with a fixed number of events per batch`, async () => {
    const empty = await onboard([]);
    const full = await onboard(
      Array.from({ length: USERS }, (_, i) => ({ email: `scale-${i}@bank.example.com` })),
    );
    assert.equal(full.result.users.length, USERS);
    assert.equal(new Set(full.result.users.map((u) => u.guid)).size, USERS);

    const batches = Math.ceil(USERS / BATCH_SIZE);
    const report = {
      users: USERS,
      batches,
      seconds: full.seconds,
      events: full.events,
      historyBytes: full.bytes,
      withoutUsers: { events: empty.events, historyBytes: empty.bytes },
      eventsPerBatch: (full.events - empty.events) / batches,
      historyBytesPerUser: Math.round((full.bytes - empty.bytes) / USERS),
      limits: { events: 51_200, historyBytes: 50 * 1024 * 1024 },
    };
    console.log(`scale report: ${JSON.stringify(report)}`);
    const dir = process.env.PROVISIONER_TEST_ARTIFACTS ?? 'test-artifacts';
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'onboard-2000-users.json'), JSON.stringify(report, null, 2));

    // A batch is one activity and one workflow task: 6 events, whatever its size.
    assert.ok(report.eventsPerBatch <= 6, `${report.eventsPerBatch} events per batch`);
    // The bytes of the result and the activities' payloads, per user (50 MB would hold 10,000 users at 5 kB).
    assert.ok(report.historyBytesPerUser < 5_000, `${report.historyBytesPerUser} bytes per user`);
  });
});
