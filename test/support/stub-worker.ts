/**
 * Workflows with stubbed activities on the run's real dev server, for branches where nothing needs to wait
 * (the time-skipping server is for those that do) but the real search attributes and child workflows do.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { temporalAddress } from './env.js';
import { dataConverter, withWorkflowBasics } from './time-skipping.js';

/** Runs `body` with a client while a worker with `activities` (and withWorkflowBasics) polls a task queue of its own. */
export async function withStubWorker<T>(
  activities: object,
  body: (taskQueue: string, client: Client) => Promise<T>,
): Promise<T> {
  const taskQueue = `stubs-${randomBytes(6).toString('hex')}`;
  const native = await NativeConnection.connect({ address: temporalAddress() });
  const connection = await Connection.connect({ address: temporalAddress() });
  try {
    const bundlePath = process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE;
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      activities: withWorkflowBasics(activities),
      dataConverter,
      ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    });
    return await worker.runUntil(body(taskQueue, new Client({ connection, dataConverter })));
  } finally {
    await connection.close();
    await native.close();
  }
}
