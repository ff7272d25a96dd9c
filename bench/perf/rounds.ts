/**
 * The rounds of `npm run bench`. Each compares the project with what a user would otherwise run, side by side
 * on the same Temporal server and machine, and returns the figures its goal is judged on.
 */
import { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProvisionerClient } from '../../src/client/index.js';
import { openTasks } from '../../src/client/tasks.js';
import { dataConverterFor } from '../../src/codec/index.js';
import { parseKeyring } from '../../src/keyring.js';
import { drive, median, round1, round2, sampler, slopePerMinute, window } from './measure.js';
import {
  PRODUCTION_NODE_OPTIONS,
  runPlainScript,
  self,
  startBareWorker,
  startProjectWorker,
  startSandboxProcess,
  type ProjectSetup,
  type SandboxProcess,
  type TemporalServer,
  type WorkerProcess,
} from './processes.js';

const guid = () => randomBytes(16).toString('hex');
const queue = (name: string) => `bench-${name}-${randomBytes(4).toString('hex')}`;
const log = (line: string) => console.error(`[bench] ${line}`);

export interface Goal {
  measure: string;
  value: number;
  goal: string;
  met: boolean;
  detail: string;
}

function projectClient(server: TemporalServer, setup: ProjectSetup, taskQueue: string): ProvisionerClient {
  return new ProvisionerClient({
    connection: server.connection,
    namespace: server.namespace,
    taskQueue,
    dataConverter: dataConverterFor(parseKeyring(setup.codecKeys, 'PROVISIONER_CODEC_KEYS')),
  });
}

const users = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => ({ email: `${prefix}${i}@bank.example.com` }));

/**
 * Workflows per second and worker CPU per workflow: onboardBank with one user against the bare ceiling,
 * alternating, `rounds` times, after a warm-up of each. The details also give the bare workflow doing the
 * required work (bare-activities.ts `keptActivities`), which tells the project's own cost from the work's.
 */
export async function throughputRound(
  server: TemporalServer,
  setup: ProjectSetup,
  options: { rounds: number; workflows: number; inFlight: number },
): Promise<Goal[]> {
  const sandbox = await startSandboxProcess();
  const bare = await startBareWorker(server, queue('bare'));
  const kept = await startBareWorker(server, queue('kept'), sandbox);
  const ours = await startProjectWorker(server, sandbox, setup, { taskQueue: queue('ours') });
  const bareClient = new Client({ connection: server.connection, namespace: server.namespace });
  const client = projectClient(server, setup, ours.taskQueue);
  const runBareOn = (worker: WorkerProcess) => (count: number) =>
    drive(count, options.inFlight, async () => {
      await bareClient.workflow.execute('bareOnboard', {
        taskQueue: worker.taskQueue,
        workflowId: `bare-${guid()}`,
        args: [{ bankGuid: guid(), users: users(1, `u-${guid()}-`) }],
      });
    });
  const runBare = runBareOn(bare);
  const runKept = runBareOn(kept);
  const runOurs = (count: number) =>
    drive(count, options.inFlight, async () => {
      const handle = await client.startOnboarding({ bankGuid: guid(), users: users(1, `u-${guid()}-`) });
      await handle.result();
    });
  const processes = (worker: WorkerProcess) => ({ worker, server, sandbox, driver: self });
  const rows: { kind: string; perSecond: number; workerMs: number; serverMs: number; totalMs: number }[] = [];
  try {
    await runBare(100);
    await runKept(100);
    await runOurs(100);
    for (let r = 0; r < options.rounds; r++) {
      for (const [kind, run, worker] of [
        ['bare', runBare, bare],
        ['kept', runKept, kept],
        ['ours', runOurs, ours],
      ] as const) {
        const { seconds, cpuMs } = await window(processes(worker), () => run(options.workflows));
        const per = (ms: number) => round1(ms / options.workflows);
        const total = Object.values(cpuMs).reduce((a, b) => a + b, 0);
        rows.push({
          kind,
          perSecond: round1(options.workflows / seconds),
          workerMs: per(cpuMs.worker!),
          serverMs: per(cpuMs.server!),
          totalMs: per(total),
        });
        log(`throughput ${kind}: ${JSON.stringify(rows.at(-1))}`);
      }
    }
  } finally {
    await ours.stop();
    await kept.stop();
    await bare.stop();
    await sandbox.stop();
  }
  console.table(rows);
  const of = (kind: string, key: 'perSecond' | 'workerMs') =>
    median(rows.filter((row) => row.kind === kind).map((row) => row[key]));
  const ratios = rows
    .filter((row) => row.kind === 'ours')
    .map((row, i) => round2(row.perSecond / rows.filter((b) => b.kind === 'bare')[i]!.perSecond));
  const throughput = round2(of('ours', 'perSecond') / of('bare', 'perSecond'));
  const cpu = round2(of('ours', 'workerMs') / of('bare', 'workerMs'));
  const keptNote = (key: 'perSecond' | 'workerMs', unit: string) =>
    `; the bare workflow doing the required work: ${of('kept', key)} ${unit}, ours against it ${round2(of('ours', key) / of('kept', key))}`;
  return [
    {
      measure: 'onboardBank (1 user) throughput / bare ceiling',
      value: throughput,
      goal: '>= 0.85',
      met: throughput >= 0.85,
      detail:
        `${of('ours', 'perSecond')} vs ${of('bare', 'perSecond')} workflows/s; rounds ${ratios.join(', ')}` +
        keptNote('perSecond', '/s'),
    },
    {
      measure: 'worker CPU per onboarding / bare',
      value: cpu,
      goal: '<= 1.2',
      met: cpu <= 1.2,
      detail: `${of('ours', 'workerMs')} vs ${of('bare', 'workerMs')} ms` + keptNote('workerMs', 'ms'),
    },
  ];
}

/**
 * Users of one bank per second against the plain script making the same IdP calls at the same concurrency,
 * at each sandbox latency, after a warm-up onboarding of each worker. The detail also compares with the
 * script through ky keeping each invite (plain-users.ts `keep`): the work the project must do, done inline.
 */
export async function usersRound(
  server: TemporalServer,
  setup: ProjectSetup,
  options: { rounds: number; users: number; latencies: number[]; concurrencies: number[] },
): Promise<Goal[]> {
  const sandbox = await startSandboxProcess();
  const goals: Goal[] = [];
  const rows: {
    latencyMs: number;
    concurrency: number;
    plainPerSecond: number;
    keptPerSecond: number;
    oursPerSecond: number;
    plainCpuMsPerUser: number;
    keptCpuMsPerUser: number;
    workerCpuMsPerUser: number;
  }[] = [];
  try {
    for (const latencyMs of options.latencies) {
      await sandbox.setFaults({ latencyMs });
      for (const concurrency of options.concurrencies) {
        const worker = await startProjectWorker(server, sandbox, setup, {
          taskQueue: queue(`users-${concurrency}`),
          env: { PROVISIONER_USER_CONCURRENCY: String(concurrency) },
        });
        const client = projectClient(server, setup, worker.taskQueue);
        const ratios: number[] = [];
        const keptRatios: number[] = [];
        try {
          // A fresh worker's first thousands of users run cold (JIT, caches): not what a running worker does.
          await (
            await client.startOnboarding({ bankGuid: guid(), users: users(1000, `warm-${guid()}-`) })
          ).result();
          for (let r = 0; r < options.rounds; r++) {
            const plain = await runPlainScript(sandbox, {
              users: options.users,
              concurrency,
              prefix: `plain-${guid()}-`,
            });
            const kept = await runPlainScript(sandbox, {
              users: options.users,
              concurrency,
              prefix: `kept-${guid()}-`,
              keep: true,
            });
            const { seconds, cpuMs } = await window({ worker }, async () => {
              const handle = await client.startOnboarding({
                bankGuid: guid(),
                users: users(options.users, `ours-${guid()}-`),
              });
              await handle.result();
            });
            const row = {
              latencyMs,
              concurrency,
              plainPerSecond: Math.round(options.users / plain.seconds),
              keptPerSecond: Math.round(options.users / kept.seconds),
              oursPerSecond: Math.round(options.users / seconds),
              plainCpuMsPerUser: round2(plain.cpuMs / options.users),
              keptCpuMsPerUser: round2(kept.cpuMs / options.users),
              workerCpuMsPerUser: round2(cpuMs.worker! / options.users),
            };
            rows.push(row);
            ratios.push(round2(row.oursPerSecond / row.plainPerSecond));
            keptRatios.push(round2(row.oursPerSecond / row.keptPerSecond));
            log(`users: ${JSON.stringify(row)}`);
          }
        } finally {
          await worker.stop();
        }
        const goal = latencyMs === 0 ? 0.8 : 0.95;
        const value = median(ratios);
        const mine = rows.filter((row) => row.latencyMs === latencyMs && row.concurrency === concurrency);
        goals.push({
          measure: `users of one bank / plain script (${latencyMs} ms, concurrency ${concurrency})`,
          value,
          goal: `>= ${goal}`,
          met: value >= goal,
          detail:
            `${median(mine.map((row) => row.oursPerSecond))} vs ${median(mine.map((row) => row.plainPerSecond))} users/s; rounds ${ratios.join(', ')}; ` +
            `against the script through ky keeping each invite ${median(keptRatios)} (${median(mine.map((row) => row.keptPerSecond))} users/s)`,
        });
      }
    }
  } finally {
    await sandbox.stop();
  }
  console.table(rows);
  return goals;
}

/**
 * Two workers onboard `banks` banks of `users` users against a sandbox limited to `limit` requests per
 * second: accepted requests per second while the users are provisioned, and the share answered 429.
 */
export async function rateLimitRound(
  server: TemporalServer,
  setup: ProjectSetup,
  options: { limit: number; banks: number; users: number; env: NodeJS.ProcessEnv },
): Promise<Goal[]> {
  const sandbox = await startSandboxProcess(['--rate-limit', String(options.limit)]);
  const taskQueue = queue('rate');
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      workers.push(await startProjectWorker(server, sandbox, setup, { taskQueue, env: options.env }));
    }
    const client = projectClient(server, setup, taskQueue);
    const accepted = sampler(async () => {
      const stats = await sandbox.stats();
      return stats.requests - stats.rateLimited;
    }, 1000);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.banks }, async () => {
        const handle = await client.startOnboarding({
          bankGuid: guid(),
          users: users(options.users, `rate-${guid()}-`),
        });
        await handle.result();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const samples = await accepted.stop();
    const stats = await sandbox.stats();
    // Sustained: the middle 80% of the run, leaving out the start (applications) and the last stragglers.
    const inner = samples.filter((s) => s.at >= seconds * 0.1 && s.at <= seconds * 0.9);
    const sustained =
      inner.length >= 2 ? (inner.at(-1)!.value - inner[0]!.value) / (inner.at(-1)!.at - inner[0]!.at) : 0;
    const share = stats.rateLimited / stats.requests;
    log(`rate limit: ${JSON.stringify({ seconds: round1(seconds), ...stats, sustained })}`);
    return [
      {
        measure: `sustained IdP requests/s / rate limit ${options.limit} (2 workers, ${options.banks}x${options.users} users)`,
        value: round2(sustained / options.limit),
        goal: '>= 0.95',
        met: sustained / options.limit >= 0.95,
        detail: `${round1(sustained)} accepted/s; whole run ${round1((stats.requests - stats.rateLimited) / seconds)}/s over ${round1(seconds)} s`,
      },
      {
        measure: 'IdP requests answered 429 (%)',
        value: round2(share * 100),
        goal: '< 1',
        met: share < 0.01,
        detail: `${stats.rateLimited} of ${stats.requests}`,
      },
    ];
  } finally {
    for (const worker of workers) await worker.stop();
    await sandbox.stop();
  }
}

/**
 * Resident memory of one worker with `inFlight` onboardings open at once (the IdP answers after longer than
 * the client's timeout, so none finishes), then over a soak of steady onboardings.
 */
export async function memoryRound(
  server: TemporalServer,
  setup: ProjectSetup,
  options: { inFlight: number; soakMinutes: number },
): Promise<Goal[]> {
  const goals: Goal[] = [];
  const sandbox = await startSandboxProcess(['--latency-ms', '60000']);
  let worker = await startProjectWorker(server, sandbox, setup, { taskQueue: queue('memory') });
  try {
    const client = projectClient(server, setup, worker.taskQueue);
    const rss = sampler(() => worker.rssMb(), 500);
    const idle = worker.rssMb();
    const handles = [];
    for (let i = 0; i < options.inFlight; i++) {
      handles.push(await client.startOnboarding({ bankGuid: guid(), users: users(1, `m-${guid()}-`) }));
    }
    // Every workflow has had its first task (and its first activity attempt) by now.
    await sleep(45_000);
    const samples = await rss.stop();
    const peak = Math.max(...samples.map((s) => s.value));
    log(`memory: idle ${round1(idle)} MB, peak ${round1(peak)} MB with ${options.inFlight} in flight`);
    goals.push({
      measure: `worker resident memory with ${options.inFlight} onboardings in flight (MB)`,
      value: Math.round(peak),
      goal: '<= 250',
      met: peak <= 250,
      detail: `idle ${Math.round(idle)} MB; NODE_OPTIONS=${PRODUCTION_NODE_OPTIONS}`,
    });
    await Promise.all(handles.map((h) => h.terminate('benchmark done')));
  } finally {
    await worker.stop();
    await sandbox.stop();
  }
  if (options.soakMinutes <= 0) return goals;

  // The soak: onboardings of 10 users, 20 at a time, at a sandbox latency of 20 ms, for soakMinutes.
  const soakSandbox = await startSandboxProcess(['--latency-ms', '20']);
  worker = await startProjectWorker(server, soakSandbox, setup, { taskQueue: queue('soak') });
  try {
    const client = projectClient(server, setup, worker.taskQueue);
    const rss = sampler(() => worker.rssMb(), 10_000);
    const until = Date.now() + options.soakMinutes * 60_000;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (Date.now() < until) {
          const handle = await client.startOnboarding({ bankGuid: guid(), users: users(10, `s-${guid()}-`) });
          await handle.result();
          done++;
        }
      }),
    );
    const samples = await rss.stop();
    // The first minute is warm-up (JIT, caches filling).
    const settled = samples.filter((s) => s.at >= 60);
    const slope = slopePerMinute(settled);
    const peak = Math.max(...samples.map((s) => s.value));
    const first = settled[0]?.value ?? 0;
    const last = settled.at(-1)?.value ?? 0;
    log(`soak: ${done} onboardings, RSS ${round1(first)} → ${round1(last)} MB, peak ${round1(peak)}`);
    goals.push({
      measure: `worker resident memory over a ${options.soakMinutes}-minute soak: growth (MB/min)`,
      value: round2(slope),
      goal: '<= 1 (flat), peak <= 250',
      met: slope <= 1 && peak <= 250,
      detail: `${done} onboardings; after the first minute ${Math.round(first)} → ${Math.round(last)} MB, peak ${Math.round(peak)} MB; NODE_OPTIONS=${PRODUCTION_NODE_OPTIONS}`,
    });
  } finally {
    await worker.stop();
    await soakSandbox.stop();
  }
  return goals;
}

/**
 * Operations waiting for a person (issue 25): `waiting` onboardings of 3 users on a worker that leaves every
 * write to a person (PROVISIONER_WRITE_MODE=assisted), each holding its create-bank-api-key task open. Worker
 * memory while they open and wait, and how long `provisioner tasks` (every open task: one visibility list and a
 * status query per operation) takes over all of them.
 */
/** What the worker did with operations waiting for a person (waitingRound). */
export interface Waiting {
  waiting: number;
  /** Resident memory in MB: before, the peak while they opened their tasks, at rest, the peak while listed. */
  idle: number;
  opening: number;
  resting: number;
  peak: number;
  /** How long listing every open task took, and how many it listed. */
  listSeconds: number;
  listed: number;
}

/**
 * Operations waiting for a person (issue 25): `waiting` onboardings of 3 users on a worker that leaves every
 * write to a person (PROVISIONER_WRITE_MODE=assisted), each holding its create-bank-api-key task open. Worker
 * memory while they open and wait, and how long `provisioner tasks` (every open task: one visibility list and a
 * status query per operation) takes over all of them. `maxCached` sets PROVISIONER_MAX_CACHED_WORKFLOWS.
 */
export async function waitingRound(
  server: TemporalServer,
  setup: ProjectSetup,
  options: { waiting: number; maxCached?: number },
): Promise<Waiting> {
  const sandbox = await startSandboxProcess();
  const worker = await startProjectWorker(server, sandbox, setup, {
    taskQueue: queue('waiting'),
    env: {
      PROVISIONER_WRITE_MODE: 'assisted',
      ...(options.maxCached ? { PROVISIONER_MAX_CACHED_WORKFLOWS: String(options.maxCached) } : {}),
    },
  });
  const handles: Awaited<ReturnType<ProvisionerClient['startOnboarding']>>[] = [];
  try {
    const client = projectClient(server, setup, worker.taskQueue);
    const rss = sampler(() => worker.rssMb(), 500);
    const idle = worker.rssMb();
    for (let i = 0; i < options.waiting; i++)
      handles.push(await client.startOnboarding({ bankGuid: guid(), users: users(3, `w-${guid()}-`) }));
    const query = `TaskQueue = '${worker.taskQueue}' AND AwaitingPerson = true AND ExecutionStatus = 'Running'`;
    const openedBy = Date.now() + 15 * 60_000;
    let waiting = 0;
    while ((waiting = (await client.client.workflow.count(query)).count) < options.waiting) {
      if (Date.now() > openedBy) throw new Error(`only ${waiting} of ${options.waiting} opened their task`);
      await sleep(1_000);
    }
    // Waiting, as they will for days: nothing runs until a reminder, a check or a submission.
    await sleep(30_000);
    const opening = Math.max(...rss.samples.map((s) => s.value));
    const resting = median(rss.samples.slice(-20).map((s) => s.value));
    const listedAt = Date.now();
    const listed = (await openTasks(client)).length;
    const listSeconds = (Date.now() - listedAt) / 1000;
    const peak = Math.max(...(await rss.stop()).map((s) => s.value));
    log(
      `waiting: ${waiting} operations waiting for a person, cache ${options.maxCached ?? 'default'}; RSS idle ${round1(idle)}, peak while opening ${round1(opening)}, at rest ${round1(resting)}, peak while listing ${round1(peak)} MB; ${listed} tasks listed in ${round1(listSeconds)} s`,
    );
    return { waiting, idle, opening, resting, peak, listSeconds, listed };
  } finally {
    await Promise.all(handles.map((h) => h.terminate('benchmark done').catch(() => undefined)));
    await worker.stop();
    await sandbox.stop();
  }
}

/**
 * The waiting round's goals, side by side: the worker's default cache against one holding every waiting
 * operation (what the SDK's own default, sized by the heap limit, amounts to).
 */
export function waitingGoals(bounded: Waiting, unbounded: Waiting, maxCached: number): Goal[] {
  const mb = (w: Waiting) =>
    `idle ${Math.round(w.idle)}, opening ${Math.round(w.opening)}, at rest ${Math.round(w.resting)}, listing ${Math.round(w.peak)} MB`;
  const ratio = (bounded.resting - bounded.idle) / (unbounded.resting - unbounded.idle);
  return [
    {
      measure: `worker memory above idle at rest, ${bounded.waiting} operations waiting for a person: default cache / all cached`,
      value: round2(ratio),
      goal: '< 0.6 (the cache bounds it)',
      met: ratio < 0.6,
      detail: `default cache: ${mb(bounded)}; cache of ${maxCached}: ${mb(unbounded)}; NODE_OPTIONS=${PRODUCTION_NODE_OPTIONS}`,
    },
    {
      measure: `provisioner tasks over ${bounded.waiting} waiting operations, default cache (s)`,
      value: round1(bounded.listSeconds),
      goal: '<= 60',
      met: bounded.listSeconds <= 60 && bounded.listed === bounded.waiting,
      detail: `${bounded.listed} open tasks listed; ${round1(unbounded.listSeconds)} s with every operation cached`,
    },
  ];
}

export type { SandboxProcess };
