/**
 * The bare-Temporal ceiling worker: a plain TypeScript worker with SDK defaults, no codec, running
 * bare-workflows.ts. Started by the benchmark as its own process (BENCH_TASK_QUEUE, TEMPORAL_ADDRESS).
 */
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { bareActivities } from './bare-activities.js';

const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  taskQueue: process.env.BENCH_TASK_QUEUE!,
  activities: bareActivities,
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
