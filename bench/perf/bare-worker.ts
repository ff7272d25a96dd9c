/**
 * The bare-Temporal worker: a plain TypeScript worker with SDK defaults, no codec, running bare-workflows.ts.
 * Started by the benchmark as its own process (BENCH_TASK_QUEUE, TEMPORAL_ADDRESS). With BENCH_IDP_URL (and
 * the organization's BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_SECRETS_DIR) its activities do the required
 * work (`keptActivities`); without, nothing (the ceiling).
 */
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKER_SCOPES } from '../../src/dependencies.js';
import { createIdpClient } from '../../src/idp/client.js';
import { openLocalSecretStore } from '../../src/secrets/local.js';
import { bareActivities, keptActivities } from './bare-activities.js';

const env = process.env;
const activities = env.BENCH_IDP_URL
  ? keptActivities(
      createIdpClient({
        baseUrl: env.BENCH_IDP_URL,
        clientId: env.BENCH_CLIENT_ID!,
        clientSecret: env.BENCH_CLIENT_SECRET!,
        scopes: WORKER_SCOPES,
      }),
      await openLocalSecretStore({ directory: join(env.BENCH_SECRETS_DIR!, 'secrets') }),
    )
  : bareActivities;

const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  taskQueue: env.BENCH_TASK_QUEUE!,
  activities,
  workflowBundle: await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./bare-workflows.ts', import.meta.url)),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  }),
});
process.once('SIGTERM', () => worker.shutdown());
await worker.run();
await connection.close();
