/**
 * Benchmark: how fast onboardBank provisions users, by user concurrency and IdP latency, on a real Temporal
 * dev server and the IdP sandbox (in memory). Measures; asserts nothing.
 *   npx tsx bench/onboard-throughput.ts [users=1000] [latencyMs=0,20] [concurrency=1,8,16]
 */
import { randomGuid } from '../test/support/env.js';
import { withDevServer } from './support.js';

const users = Number(process.argv[2] ?? 1000);
const latencies = (process.argv[3] ?? '0,20').split(',').map(Number);
const concurrencies = (process.argv[4] ?? '1,8,16').split(',').map(Number);

const rows: Record<string, number | string>[] = [];
await withDevServer(async (inWorld) => {
  for (const latencyMs of latencies) {
    for (const concurrency of concurrencies) {
      await inWorld({ faults: { latencyMs }, userConcurrency: concurrency }, async (world) => {
        const started = performance.now();
        const handle = await world.client.startOnboarding({
          bankGuid: randomGuid(),
          users: Array.from({ length: users }, (_, i) => ({ email: `bench-${i}@bank.example.com` })),
        });
        await handle.result();
        const seconds = (performance.now() - started) / 1000;
        const events = (await handle.fetchHistory()).events?.length ?? 0;
        rows.push({
          users,
          latencyMs,
          concurrency,
          seconds: seconds.toFixed(2),
          usersPerSecond: Math.round(users / seconds),
          events,
        });
        console.log(JSON.stringify(rows.at(-1)));
      });
    }
  }
});
console.table(rows);
