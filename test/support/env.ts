/**
 * A test's world: the run's real Temporal dev server (started by test/run.ts), a real IdP sandbox over
 * HTTP, and a real worker on its own task queue with its own state directory. `close` tears it all down.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ProvisionerClient } from '../../src/client/index.js';
import { parseEnv, WorkerEnv } from '../../src/config.js';
import { openDependencies, type Dependencies } from '../../src/dependencies.js';
import { createLogger, type Logger } from '../../src/log.js';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { startSandbox, type RunningSandbox, type SandboxFaults } from '../../src/dev/sandbox/index.js';
import { createProvisionerWorker } from '../../src/worker.js';
import type { IdpContract } from '../../src/model/idp-scopes.js';
import { WRITING_CONTRACT } from './contracts.js';
import { randomGuid } from './ids.js';

/** A logger whose lines (JSON, one per entry) are pushed onto `lines`. */
export function capturingLogger(level: string, lines: string[]): Logger {
  return createLogger(
    level,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
}

/** Everything every worker of this test process logged, to search for leaked secrets. */
export const capturedLog: string[] = [];
const logger = capturingLogger('debug', capturedLog);
// Not forwarded: see TemporalRuntimeOptions.forwardCoreLogs.
installTemporalRuntime(logger, { forwardCoreLogs: false });

export const temporalAddress = () => {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address)
    throw new Error(
      'TEMPORAL_ADDRESS is not set: run the tests with `npm test` (test/run.ts starts the dev server)',
    );
  return address;
};

export { randomGuid };

export interface TestWorld {
  sandbox: RunningSandbox;
  stateDir: string;
  taskQueue: string;
  env: NodeJS.ProcessEnv;
  deps: Dependencies;
  client: ProvisionerClient;
  connection: Connection;
  startWorker(): Promise<Worker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface TestWorldOptions {
  faults?: Partial<SandboxFaults>;
  orphanGraceMs?: number;
  /** Concurrent IdP calls per user batch (default: the worker's default). */
  userConcurrency?: number;
  /** Payload keys; by default a key file is created in the world's state directory, as in development. */
  codecKeys?: string;
  /** Extra configuration, e.g. shared stores. */
  env?: NodeJS.ProcessEnv;
  /** An IdP sandbox of another world, to share (the owner closes it); a new one by default. */
  sandbox?: RunningSandbox;
  /**
   * The contract of a new sandbox. Default 0.129.899, whose API keys may write, so the worker writes with
   * its organization key; 0.129.1425 (the sandbox's own default) needs a write token source or a person.
   */
  contract?: IdpContract;
}

export async function createTestWorld(options: TestWorldOptions = {}): Promise<TestWorld> {
  const sandbox =
    options.sandbox ??
    (await startSandbox({
      database: ':memory:',
      faults: options.faults,
      contract: options.contract ?? WRITING_CONTRACT,
    }));
  const stateDir = await mkdtemp(join(tmpdir(), 'provisioner-state-'));
  const taskQueue = `test-${randomGuid().slice(0, 12)}`;
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    CYBRID_IDP_URL: sandbox.url,
    CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
    CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
    PROVISIONER_TASK_QUEUE: taskQueue,
    PROVISIONER_STATE_DIR: stateDir,
    ...(options.codecKeys ? { PROVISIONER_CODEC_KEYS: options.codecKeys } : {}),
    PROVISIONER_ORPHAN_GRACE_MS: String(options.orphanGraceMs ?? 2_000),
    ...(options.userConcurrency ? { PROVISIONER_USER_CONCURRENCY: String(options.userConcurrency) } : {}),
    ...options.env,
  };
  const config = parseEnv(WorkerEnv, env);
  const deps = await openDependencies(config, logger);
  const connection = await Connection.connect({ address: temporalAddress() });
  const client = new ProvisionerClient({
    connection,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    dataConverter: deps.dataConverter,
  });

  let running: { worker: Worker; done: Promise<void>; native: NativeConnection } | undefined;
  const startWorker = async () => {
    const native = await NativeConnection.connect({ address: temporalAddress() });
    const worker = await createProvisionerWorker({
      logger,
      connection: native,
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue,
      deps,
      workflowBundlePath: process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE,
      shutdownGraceMs: 5_000,
      maxCachedWorkflows: config.PROVISIONER_MAX_CACHED_WORKFLOWS,
    });
    running = { worker, native, done: worker.run() };
    return worker;
  };
  const stopWorker = async () => {
    if (!running) return;
    const { worker, done, native } = running;
    running = undefined;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await done;
    await native.close();
  };
  return {
    sandbox,
    stateDir,
    taskQueue,
    env,
    deps,
    client,
    connection,
    startWorker,
    stopWorker,
    async close() {
      await stopWorker();
      await connection.close();
      await deps.close();
      if (!options.sandbox) await sandbox.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
