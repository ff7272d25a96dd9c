/**
 * The worker: configuration parsed once, a connection through @temporalio/envconfig, the activities bound to
 * the IdP client, the secret store and the ledger, and graceful shutdown on SIGINT/SIGTERM (in-flight
 * activities get a grace period; workflows resume on the next worker).
 */
import { bundleWorkflowCode, DefaultLogger, Worker, type NativeConnection } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { FAILURE_CONVERTER_PATH } from './codec/index.js';
import { parseEnv, WorkerEnv } from './config.js';
import { openDependencies, type Dependencies } from './dependencies.js';
import { createLogger, type Logger } from './log.js';
import { installTemporalRuntime } from './temporal/runtime.js';
import { connectTemporal } from './temporal/connect.js';
import { shareIdpRateLimit } from './temporal/idp-rate-share.js';
import { ensureSearchAttributes } from './temporal/register-search-attributes.js';
import { assertStateShared, workerIdentity } from './temporal/state-guard.js';
import { boundWorkflowThreadYoungGeneration } from './temporal/workflow-thread-heap.js';

/** Workflow sources, for development; production loads the prebuilt bundle. */
export const WORKFLOWS_PATH = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './workflows/index.ts' : './workflows/index.js', import.meta.url),
);

/**
 * The workflow code as one bundle, built from source. Of the bundler's output only warnings and errors reach
 * `logger`: its webpack statistics are noise to whoever reads the log.
 */
export async function bundleWorkflows(logger: Logger): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN', ({ level, message, meta }) =>
      logger[level === 'WARN' ? 'warn' : 'error']({ ...meta, source: 'bundler' }, message),
    ),
  });
  return code;
}

export interface ProvisionerWorkerOptions {
  logger: Logger;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Dependencies;
  /** A prebuilt bundle (fast start); bundled from source when absent. */
  workflowBundlePath?: string;
  /** Milliseconds running activities get to finish after SIGINT/SIGTERM. */
  shutdownGraceMs?: number;
  /** PROVISIONER_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows: number;
}

/**
 * Creates the worker once no worker with other state polls its task queue (see temporal/state-guard.ts):
 * workers on other hosts must share this one's stores, or it would not see what they wrote.
 */
export async function createProvisionerWorker(options: ProvisionerWorkerOptions): Promise<Worker> {
  const { deps } = options;
  const identity = await workerIdentity(deps.hostLocalState, deps.stateDir);
  await assertStateShared(options.connection, {
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    identity,
    hostLocalState: deps.hostLocalState,
  });
  boundWorkflowThreadYoungGeneration();
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    identity,
    activities: createActivities(deps.activityDeps),
    workflowBundle: options.workflowBundlePath
      ? { codePath: options.workflowBundlePath }
      : { code: await bundleWorkflows(options.logger) },
    dataConverter: deps.dataConverter,
    shutdownGraceTime: options.shutdownGraceMs ?? 20_000,
    maxCachedWorkflows: options.maxCachedWorkflows,
  });
  if (deps.idpRateLimit) {
    const stopSharing = await shareIdpRateLimit({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      identity,
      ...deps.idpRateLimit,
      logger: options.logger,
    });
    // The worker's state ends at STOPPED or FAILED, whatever stops it.
    const watch = setInterval(() => {
      if (['STOPPED', 'FAILED'].includes(worker.getState())) {
        stopSharing();
        clearInterval(watch);
      }
    }, 1_000);
    watch.unref();
  }
  return worker;
}

/** `provisioner worker`: runs until SIGINT/SIGTERM. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = parseEnv(WorkerEnv, env);
  const logger = createLogger(config.PROVISIONER_LOG_LEVEL);
  installTemporalRuntime(logger, { metricsAddress: config.PROVISIONER_METRICS_ADDRESS });
  const deps = await openDependencies(config, logger);
  const { connection, namespace, address } = await connectTemporal(env);
  try {
    const registered = await ensureSearchAttributes(connection, namespace);
    if (registered.length) logger.info({ registered }, 'registered missing search attributes');
    const worker = await createProvisionerWorker({
      logger,
      connection,
      namespace,
      taskQueue: config.PROVISIONER_TASK_QUEUE,
      deps,
      workflowBundlePath: config.PROVISIONER_WORKFLOW_BUNDLE,
      maxCachedWorkflows: config.PROVISIONER_MAX_CACHED_WORKFLOWS,
    });
    logger.info(
      { address, namespace, taskQueue: config.PROVISIONER_TASK_QUEUE, idp: config.CYBRID_IDP_URL },
      'worker started',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await deps.close();
  }
}
