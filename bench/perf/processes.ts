/**
 * The processes a side-by-side benchmark runs, each on its own so its CPU and memory can be read from /proc:
 * a Temporal dev server, IdP sandboxes, the project's worker (`provisioner worker`, as in production), the
 * bare-Temporal ceiling worker and the plain script. Everything is stopped by `stopAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { findTemporalCli } from '../../src/dev/temporal-binary.js';
import { generateKey } from '../../src/keyring.js';
import { ensureSearchAttributes } from '../../src/temporal/register-search-attributes.js';
import { freePort } from '../../test/support/ports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

const running = new Set<ChildProcess>();
const scratch: string[] = [];

export interface Measured {
  pid: number;
  /** user + system CPU so far, in ms (every thread of the process). */
  cpuMs(): number;
  /** Resident memory now, in MB. */
  rssMb(): number;
}

function measured(pid: number): Measured {
  return {
    pid,
    cpuMs() {
      // Fields after the command name, which is in parentheses and may contain spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    },
    rssMb() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
  };
}

/** This process, for the load driver's share. */
export const self: Measured = measured(process.pid);

function start(command: string, args: string[], env: NodeJS.ProcessEnv, label: string): ChildProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', process.env.BENCH_STDERR ? 'inherit' : 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (running.delete(child) && code !== 0 && signal === null) {
      console.error(`[bench] ${label} exited with ${code}:\n${stderr}`);
    }
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (!running.delete(child) || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(25_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stop));
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await sleep(200);
  }
}

export interface TemporalServer extends Measured {
  address: string;
  namespace: string;
  connection: Connection;
}

/** `temporal server start-dev`, headless, in memory. */
export async function startTemporal(): Promise<TemporalServer> {
  const cli = await findTemporalCli();
  if (!cli.path) throw new Error('the benchmark needs the Temporal CLI on this machine');
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const child = start(
    cli.path,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--log-level',
      'error',
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecution=true',
    ],
    {},
    'Temporal dev server',
  );
  const address = `127.0.0.1:${port}`;
  const connection = await until('Temporal dev server', async () => {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.getSystemInfo({});
    return connection;
  });
  await ensureSearchAttributes(connection, 'default');
  return { ...measured(child.pid!), address, namespace: 'default', connection };
}

export interface SandboxProcess extends Measured {
  url: string;
  clientId: string;
  clientSecret: string;
  setFaults(faults: Record<string, unknown>): Promise<void>;
  stats(): Promise<{ requests: number; writes: number; rateLimited: number }>;
  stop(): Promise<void>;
}

/** `provisioner sandbox` in memory, with the given fault flags (e.g. `--rate-limit 50`). */
export async function startSandboxProcess(flags: string[] = []): Promise<SandboxProcess> {
  const port = await freePort();
  const clientId = `bench-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('hex');
  const child = start(
    process.execPath,
    [
      'bin/provisioner.js',
      'sandbox',
      '--port',
      String(port),
      '--database',
      ':memory:',
      // The bench's worker writes with its organization key, which only this contract allows.
      '--contract',
      '0.129.899',
      ...flags,
    ],
    { SANDBOX_ORG_CLIENT_ID: clientId, SANDBOX_ORG_CLIENT_SECRET: clientSecret },
    'IdP sandbox',
  );
  const url = `http://127.0.0.1:${port}`;
  await until('IdP sandbox', async () => ((await fetch(`${url}/__sandbox/faults`)).ok ? true : undefined));
  return {
    ...measured(child.pid!),
    url,
    clientId,
    clientSecret,
    async setFaults(faults) {
      const response = await fetch(`${url}/__sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      if (!response.ok) throw new Error(`sandbox faults: ${response.status} ${await response.text()}`);
    },
    async stats() {
      return (await (await fetch(`${url}/__sandbox/stats`)).json()) as {
        requests: number;
        writes: number;
        rateLimited: number;
      };
    },
    stop: () => stop(child),
  };
}

export interface WorkerProcess extends Measured {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Waits until a process with this pid polls the task queue for workflow tasks. */
async function polling(server: TemporalServer, taskQueue: string, pid: number): Promise<void> {
  await until(`worker ${pid} on ${taskQueue}`, async () => {
    const { pollers } = await server.connection.workflowService.describeTaskQueue({
      namespace: server.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return pollers?.some((p) => p.identity?.startsWith(`${pid}@`)) ? true : undefined;
  });
}

/** What the project's workers of one benchmark share: payload keys, a state directory, the bundle. */
export interface ProjectSetup {
  codecKeys: string;
  stateDir: string;
  bundlePath: string;
}

export async function projectSetup(bundlePath: string): Promise<ProjectSetup> {
  const stateDir = await mkdtemp(join(tmpdir(), 'provisioner-bench-'));
  scratch.push(stateDir);
  return { codecKeys: `bench:${generateKey()}`, stateDir, bundlePath };
}

/** The V8 options the README's production section gives the worker (a young generation of 3 × 4 MiB). */
export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=4';

/**
 * The project's worker, `provisioner worker`, exactly as production runs it: the compiled build and its
 * prebuilt bundle (`npm run build`, which the benchmark runs first), with the production NODE_OPTIONS.
 */
export async function startProjectWorker(
  server: TemporalServer,
  sandbox: SandboxProcess,
  setup: ProjectSetup,
  options: { taskQueue: string; env?: NodeJS.ProcessEnv },
): Promise<WorkerProcess> {
  const child = start(
    process.execPath,
    [
      // `npm run bench -- --cpu-prof`: a V8 CPU profile of each project worker (every thread), written on exit.
      ...(process.env.BENCH_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
        : []),
      'dist/cli/main.js',
      'worker',
    ],
    {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      CYBRID_IDP_URL: sandbox.url,
      CYBRID_CLIENT_ID: sandbox.clientId,
      CYBRID_CLIENT_SECRET: sandbox.clientSecret,
      PROVISIONER_TASK_QUEUE: options.taskQueue,
      PROVISIONER_STATE_DIR: setup.stateDir,
      PROVISIONER_CODEC_KEYS: setup.codecKeys,
      PROVISIONER_WORKFLOW_BUNDLE: setup.bundlePath,
      PROVISIONER_LOG_LEVEL: 'warn',
      NODE_OPTIONS: PRODUCTION_NODE_OPTIONS,
      ...options.env,
    },
    'provisioner worker',
  );
  await polling(server, options.taskQueue, child.pid!);
  return { ...measured(child.pid!), taskQueue: options.taskQueue, stop: () => stop(child) };
}

/**
 * A bare TypeScript worker running a workflow of the same shape (bare-worker.ts): the ceiling, or with
 * `idp` the same workflow doing the required work against that sandbox.
 */
export async function startBareWorker(
  server: TemporalServer,
  taskQueue: string,
  idp?: SandboxProcess,
): Promise<WorkerProcess> {
  const secretsDir = idp ? await mkdtemp(join(tmpdir(), 'provisioner-bench-kept-')) : undefined;
  if (secretsDir) scratch.push(secretsDir);
  const child = start(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF_DIR, idp ? 'kept' : 'bare')}`]
        : []),
      '--import',
      'tsx',
      'bench/perf/bare-worker.ts',
    ],
    {
      TEMPORAL_ADDRESS: server.address,
      BENCH_TASK_QUEUE: taskQueue,
      ...(idp && {
        BENCH_IDP_URL: idp.url,
        BENCH_CLIENT_ID: idp.clientId,
        BENCH_CLIENT_SECRET: idp.clientSecret,
        BENCH_SECRETS_DIR: secretsDir,
      }),
    },
    idp ? 'bare worker doing the required work' : 'bare worker',
  );
  await polling(server, taskQueue, child.pid!);
  return { ...measured(child.pid!), taskQueue, stop: () => stop(child) };
}

/** Runs the plain script (plain-users.ts) to the end; its CPU is read just before it exits. */
export async function runPlainScript(
  sandbox: SandboxProcess,
  options: { users: number; concurrency: number; prefix: string; keep?: boolean },
): Promise<{ seconds: number; cpuMs: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/perf/plain-users.ts',
      sandbox.url,
      sandbox.clientId,
      sandbox.clientSecret,
      String(options.users),
      String(options.concurrency),
      options.prefix,
      ...(options.keep ? ['keep'] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`plain script exited with ${code}`);
  return JSON.parse(stdout) as { seconds: number; cpuMs: number };
}
