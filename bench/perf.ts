/**
 * `npm run bench`: the side-by-side performance benchmark of issue "the workflow costs little beyond bare
 * Temporal". One Temporal dev server; every other part in its own process so its CPU and memory can be read:
 * the IdP sandbox, the project's worker (`provisioner worker`), a bare-Temporal ceiling worker and a plain
 * script. Prints each measure as a ratio with its goal (ratios measured in one run hold on any machine).
 * Reports only: it asserts nothing and CI does not run it.
 *
 *   npm run bench [-- --rounds 3] [--only throughput,users,rate-limit,memory,waiting] [--soak-minutes 10]
 *                 [--waiting 1000]
 *                 [--workflows 500] [--users 5000] [--latencies 0,50] [--concurrencies 8,64]
 *                 [--cpu-prof]   (V8 profiles of the project's workers in test-artifacts/profiles)
 */
import { spawnSync } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectSetup, startTemporal, stopAll } from './perf/processes.js';
import {
  memoryRound,
  rateLimitRound,
  throughputRound,
  usersRound,
  waitingGoals,
  waitingRound,
  type Goal,
} from './perf/rounds.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'throughput,users,rate-limit,memory,waiting' },
    waiting: { type: 'string', default: '1000' },
    'soak-minutes': { type: 'string', default: '10' },
    workflows: { type: 'string', default: '500' },
    users: { type: 'string', default: '5000' },
    latencies: { type: 'string', default: '0,50' },
    concurrencies: { type: 'string', default: '8,64' },
    'rate-limit-env': { type: 'string', default: '' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
if (values['cpu-prof']) process.env.BENCH_CPU_PROF_DIR = join(process.cwd(), 'test-artifacts', 'profiles');
const rounds = Number(values.rounds);
const only = new Set(values.only.split(','));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const started = Date.now();
const loadBefore = load();
const goals: Goal[] = [];
try {
  // The worker runs as a production install does: the compiled build with its prebuilt workflow bundle.
  const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status})`);
  const bundlePath = join(process.cwd(), 'dist', 'workflow-bundle.js');
  console.error(
    `[bench] workflow bundle ${((await stat(bundlePath)).size / 1e6).toFixed(2)} MB; load average ${loadBefore}`,
  );
  const server = await startTemporal();
  const setup = await projectSetup(bundlePath);
  if (only.has('throughput')) {
    goals.push(
      ...(await throughputRound(server, setup, {
        rounds,
        workflows: Number(values.workflows),
        inFlight: 100,
      })),
    );
  }
  if (only.has('users')) {
    goals.push(
      ...(await usersRound(server, setup, {
        rounds,
        users: Number(values.users),
        latencies: values.latencies.split(',').map(Number),
        concurrencies: values.concurrencies.split(',').map(Number),
      })),
    );
  }
  if (only.has('rate-limit')) {
    const limit = 50;
    // The workers are told the IdP's limit, as an operator would; --rate-limit-env adds or overrides variables.
    const env = Object.fromEntries(
      `PROVISIONER_IDP_RATE_LIMIT=${limit},${values['rate-limit-env']}`
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    );
    goals.push(...(await rateLimitRound(server, setup, { limit, banks: 20, users: 500, env })));
  }
  if (only.has('memory')) {
    goals.push(
      ...(await memoryRound(server, setup, { inFlight: 1000, soakMinutes: Number(values['soak-minutes']) })),
    );
  }
  if (only.has('waiting')) {
    // The same waiting operations with the worker's default cache and with a cache that holds them all.
    const waiting = Number(values.waiting);
    const bounded = await waitingRound(server, setup, { waiting });
    const unbounded = await waitingRound(server, setup, { waiting, maxCached: 2 * waiting });
    goals.push(...waitingGoals(bounded, unbounded, 2 * waiting));
  }
} finally {
  await stopAll();
}

console.log(
  `\nPerformance (median of ${rounds} rounds where repeated; load average before ${loadBefore}, after ${load()}; ${Math.round((Date.now() - started) / 1000)} s)`,
);
console.table(
  goals.map(({ measure, value, goal, met, detail }) => ({
    measure,
    value,
    goal,
    met: met ? 'yes' : 'NO',
    detail,
  })),
);
await mkdir('test-artifacts', { recursive: true });
await writeFile(
  'test-artifacts/bench.json',
  JSON.stringify({ at: new Date().toISOString(), loadBefore, goals }, null, 2),
);
process.exit(0);
