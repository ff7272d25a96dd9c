/**
 * Benchmark: the HTTP API with 2 replicas (`provisioner api` processes sharing the ledger and the Temporal
 * dev server), a worker and the IdP sandbox. Measures requests per second and latency (p50, p99) of status
 * reads, of starts (onboardings of distinct banks), and of replayed starts (same Idempotency-Key). Asserts
 * nothing.
 *   npx tsx bench/api.ts [seconds=10] [concurrency=16] [starts=400]
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiKey } from '../src/api/keys.js';
import { PROVISIONER_BIN } from '../test/support/cli.js';
import { randomGuid } from '../test/support/env.js';
import { freePort } from '../test/support/ports.js';
import { withDevServer } from './support.js';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 16);
const starts = Number(process.argv[4] ?? 400);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** Runs `request` from `concurrency` loops until `more` says stop; returns the latencies in ms. */
async function load(request: (i: number) => Promise<Response>, more: (i: number) => boolean) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; more(i); i = next++) {
        const t0 = performance.now();
        const response = await request(i);
        await response.arrayBuffer();
        if (response.status >= 400) throw new Error(`request ${i}: ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds: elapsed.toFixed(1),
    perSecond: Math.round(latencies.length / elapsed),
    p50ms: percentile(latencies, 0.5).toFixed(1),
    p99ms: percentile(latencies, 0.99).toFixed(1),
  };
}

const rows: Record<string, unknown>[] = [];
await withDevServer(async (inWorld) => {
  await inWorld({}, async (world) => {
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const port = await freePort();
        const child = spawn(process.execPath, [PROVISIONER_BIN, 'api', '--port', String(port)], {
          env: {
            ...world.env,
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            PROVISIONER_API_RATE_LIMIT: '10000000',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        while (!stderr.includes('HTTP API on')) {
          if (child.exitCode !== null) throw new Error(`api replica exited: ${stderr}`);
          await sleep(100);
        }
        return { url: `http://127.0.0.1:${port}`, child };
      }),
    );
    try {
      const { key } = await createApiKey(world.deps.ledger, 'bench', ['onboard', 'read']);
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const url = (i: number, path: string) => `${replicas[i % 2]!.url}${path}`;
      const bankGuid = randomGuid();
      await (await world.client.startOnboarding({ bankGuid })).result();

      const until = performance.now() + seconds * 1000;
      rows.push({
        scenario: 'GET /v1/banks/{bankGuid}',
        ...(await load(
          (i) => fetch(url(i, `/v1/banks/${bankGuid}`), { headers }),
          () => performance.now() < until,
        )),
      });
      rows.push({
        scenario: 'POST /v1/banks/{bankGuid}/onboarding (new banks)',
        ...(await load(
          (i) =>
            fetch(url(i, `/v1/banks/${randomGuid()}/onboarding`), {
              method: 'POST',
              headers: { ...headers, 'idempotency-key': `start-${i}` },
              body: JSON.stringify({ users: [{ email: `bench-${i}@bank.example.com` }] }),
            }),
          (i) => i < starts,
        )),
      });
      rows.push({
        scenario: 'POST onboarding, replayed (same Idempotency-Key)',
        ...(await load(
          (i) =>
            fetch(url(i, `/v1/banks/${bankGuid}/onboarding`), {
              method: 'POST',
              headers: { ...headers, 'idempotency-key': 'replayed' },
              body: '{}',
            }),
          (i) => i < starts,
        )),
      });
    } finally {
      for (const { child } of replicas) child.kill('SIGINT');
    }
  });
});
console.log(`2 API replicas, ${concurrency} concurrent clients`);
console.table(rows);
