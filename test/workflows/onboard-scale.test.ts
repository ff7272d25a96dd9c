import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { historyText } from '../support/history.js';

describe('onboardBank at scale', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  it('onboards 2,000 users far below the history limits', async () => {
    const bankGuid = randomGuid();
    const users = Array.from({ length: 2_000 }, (_, i) => ({ email: `scale-${i}@bank.example.com` }));
    const started = Date.now();
    const handle = await world.client.startOnboarding({ bankGuid, users });
    const result = await handle.result();
    const seconds = (Date.now() - started) / 1000;
    assert.equal(result.users.length, 2_000);
    assert.equal(new Set(result.users.map((u) => u.guid)).size, 2_000);

    const { events, bytes } = await historyText(handle, world.deps.dataConverter);
    const report = {
      users: 2_000,
      seconds,
      events,
      historyBytes: bytes,
      estimateFor10000: {
        events: Math.round((events * 10_000) / 2_000),
        historyBytes: Math.round((bytes * 10_000) / 2_000),
      },
      limits: { events: 51_200, historyBytes: 50 * 1024 * 1024 },
    };
    console.log(`scale report: ${JSON.stringify(report)}`);
    const dir = process.env.PROVISIONER_TEST_ARTIFACTS ?? 'test-artifacts';
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'onboard-2000-users.json'), JSON.stringify(report, null, 2));
    assert.ok(report.estimateFor10000.events < 51_200 / 10, `history too long: ${events} events`);
    assert.ok(
      report.estimateFor10000.historyBytes < (50 * 1024 * 1024) / 4,
      `history too large: ${bytes} bytes`,
    );
  });
});
