/**
 * Benchmark: IdP requests per onboarded user, with no faults and with 20% 5xx + 10% 429 answers, on a real
 * Temporal dev server and the IdP sandbox. The goal: the faulty run needs at most 2× the requests of the
 * clean one (a user finished by one attempt is never tried again). Measures; asserts nothing.
 *   npx tsx bench/requests-per-user.ts [users=500] [seed=1]
 */
import { startDevServer } from '../src/dev/temporal-dev-server.js';
import type { SandboxFaults } from '../src/dev/sandbox/index.js';
import { ensureSearchAttributes } from '../src/temporal/register-search-attributes.js';
import { createTestWorld, randomGuid } from '../test/support/env.js';
import { sandboxStats } from '../test/support/idp.js';

const users = Number(process.argv[2] ?? 500);
const seed = Number(process.argv[3] ?? 1);
const scenarios: [string, Partial<SandboxFaults>][] = [
  ['no faults', {}],
  ['20% 5xx + 10% 429', { errorRate: 0.2, throttleRate: 0.1, seed }],
];

const server = await startDevServer();
process.env.TEMPORAL_ADDRESS = server.address;
const rows: Record<string, number | string>[] = [];
try {
  for (const [name, faults] of scenarios) {
    const world = await createTestWorld({ faults });
    try {
      await ensureSearchAttributes(world.connection, server.namespace);
      await world.startWorker();
      const bankGuid = randomGuid();
      const started = performance.now();
      const handle = await world.client.startOnboarding({
        bankGuid,
        users: Array.from({ length: users }, (_, i) => ({ email: `bench-${i}@bank.example.com` })),
      });
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const { requests, writes } = await sandboxStats(world);
      rows.push({
        scenario: name,
        users,
        created: result.users.filter((u) => u.created).length,
        requests,
        writes,
        requestsPerUser: Number((requests / users).toFixed(3)),
        seconds: Number(seconds.toFixed(1)),
      });
      console.log(JSON.stringify(rows.at(-1)));
    } finally {
      await world.close();
    }
  }
} finally {
  await server.stop();
}
console.table(rows);
const [clean, faulty] = rows.map((r) => Number(r.requestsPerUser));
console.log(`faulty / clean requests per user: ${(faulty! / clean!).toFixed(2)}× (goal: at most 2×)`);
