/**
 * Benchmark: IdP requests per onboarded user, with no faults and with 20% 5xx + 10% 429 answers, on a real
 * Temporal dev server and the IdP sandbox. The goal: the faulty run needs at most 2× the requests of the
 * clean one (a user finished by one attempt is never tried again). Measures; asserts nothing.
 *   npx tsx bench/requests-per-user.ts [users=500] [seed=1]
 */
import type { SandboxFaults } from '../src/dev/sandbox/index.js';
import { randomGuid } from '../test/support/env.js';
import { sandboxStats } from '../test/support/idp.js';
import { withDevServer } from './support.js';

const users = Number(process.argv[2] ?? 500);
const seed = Number(process.argv[3] ?? 1);
const scenarios: [string, Partial<SandboxFaults>][] = [
  ['no faults', {}],
  ['20% 5xx + 10% 429', { errorRate: 0.2, throttleRate: 0.1, seed }],
];

const rows: Record<string, number | string>[] = [];
await withDevServer(async (inWorld) => {
  for (const [scenario, faults] of scenarios) {
    await inWorld({ faults }, async (world) => {
      const started = performance.now();
      const handle = await world.client.startOnboarding({
        bankGuid: randomGuid(),
        users: Array.from({ length: users }, (_, i) => ({ email: `bench-${i}@bank.example.com` })),
      });
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const { requests, writes } = await sandboxStats(world);
      rows.push({
        scenario,
        users,
        created: result.users.filter((u) => u.created).length,
        requests,
        writes,
        requestsPerUser: Number((requests / users).toFixed(3)),
        seconds: Number(seconds.toFixed(1)),
      });
      console.log(JSON.stringify(rows.at(-1)));
    });
  }
});
console.table(rows);
const [clean, faulty] = rows.map((r) => Number(r.requestsPerUser));
console.log(`faulty / clean requests per user: ${(faulty! / clean!).toFixed(2)}× (goal: at most 2×)`);
