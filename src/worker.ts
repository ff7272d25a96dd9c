/**
 * The worker: configuration parsed once, a connection through @temporalio/envconfig, the activities bound to
 * the IdP client, the secret store and the ledger, and graceful shutdown on SIGINT/SIGTERM (in-flight
 * activities get a grace period; workflows resume on the next worker).
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createActivities } from './activities/index.js';
import { parseEnv, WorkerEnv } from './config.js';
import { openDependencies, type Dependencies } from './dependencies.js';
import { createLogger, installTemporalRuntime } from './log.js';
import { connectTemporal } from './temporal/connect.js';
import { ensureSearchAttributes } from './temporal/register-search-attributes.js';
import { assertStateShared, workerIdentity } from './temporal/state-guard.js';

/** Workflow sources, for development; production loads the prebuilt bundle. */
export const WORKFLOWS_PATH = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './workflows/index.ts' : './workflows/index.js', import.meta.url),
);

export interface ProvisionerWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Dependencies;
  /** A prebuilt bundle (fast start); bundled from source when absent. */
  workflowBundlePath?: string;
  /** Milliseconds running activities get to finish after SIGINT/SIGTERM. */
  shutdownGraceMs?: number;
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
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    identity,
    activities: createActivities(deps.activityDeps),
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    dataConverter: deps.dataConverter,
    shutdownGraceTime: options.shutdownGraceMs ?? 20_000,
  });
}

/** `provisioner worker`: runs until SIGINT/SIGTERM. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = parseEnv(WorkerEnv, env);
  const logger = createLogger(config.PROVISIONER_LOG_LEVEL);
  installTemporalRuntime(logger, config.PROVISIONER_METRICS_ADDRESS);
  const deps = await openDependencies(config, logger);
  const { connection, namespace, address } = await connectTemporal(env);
  try {
    const registered = await ensureSearchAttributes(connection, namespace);
    if (registered.length) logger.info({ registered }, 'registered missing search attributes');
    const worker = await createProvisionerWorker({
      connection,
      namespace,
      taskQueue: config.PROVISIONER_TASK_QUEUE,
      deps,
      workflowBundlePath: config.PROVISIONER_WORKFLOW_BUNDLE,
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
