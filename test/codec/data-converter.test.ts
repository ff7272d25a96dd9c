/**
 * The data converter against a real Temporal server: inputs, results, failure messages and stack traces
 * (from workflow code and from activities) are stored encrypted, and a client with the same keys reads them.
 * Uses the run's dev server (TEMPORAL_ADDRESS, from test/run.ts) or starts one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  ActivityFailure,
  ApplicationFailure,
  Client,
  Connection,
  WorkflowFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverterFor } from '../../src/codec/data-converter.js';
import { generateKey, parseKeyring } from '../../src/keyring.js';
import { startDevServer, type DevServer } from '../../src/dev/temporal-dev-server.js';
import * as activities from './fixtures/activities.js';

const MARKER = `PLAINTEXT-${randomBytes(6).toString('hex')}`;
const dataConverter = dataConverterFor(parseKeyring(`k1:${generateKey()}`, 'PROVISIONER_CODEC_KEYS'));

/** Every string and byte field (as UTF-8) of the stored history, as the server keeps it. */
function textOf(value: unknown, into: string[] = []): string[] {
  if (value instanceof Uint8Array) into.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') into.push(value);
  else if (value && typeof value === 'object') for (const child of Object.values(value)) textOf(child, into);
  return into;
}

const storedHistory = async (handle: WorkflowHandle) => textOf(await handle.fetchHistory()).join('\n');

describe('data converter: what reaches Temporal is encrypted', () => {
  let devServer: DevServer | undefined;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `codec-test-${randomBytes(6).toString('hex')}`;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';

  before(async () => {
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      devServer = await startDevServer();
      address = devServer.address;
    }
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace, dataConverter });
    nativeConnection = await NativeConnection.connect({ address });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url)),
      activities,
      dataConverter,
    });
    running = worker.run();
  });

  after(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await devServer?.stop();
  });

  const start = (type: 'echo' | 'failInWorkflow' | 'failInActivity') =>
    client.workflow.start(type, {
      taskQueue,
      workflowId: `${type}-${randomBytes(6).toString('hex')}`,
      args: [MARKER],
    });

  it('stores inputs and results encrypted; the client decodes them', async () => {
    const handle = await start('echo');
    assert.equal(await handle.result(), `echo: ${MARKER}`);
    const stored = await storedHistory(handle);
    assert.ok(stored.includes('binary/encrypted'), 'no encrypted payload in the history');
    assert.ok(!stored.includes(MARKER), 'plaintext in the stored history');
  });

  it('stores the message and stack of a failure thrown in workflow code encrypted', async () => {
    const handle = await start('failInWorkflow');
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.equal(err.cause?.message, `workflow failed: ${MARKER}`);
      return true;
    });
    const stored = await storedHistory(handle);
    assert.ok(stored.includes('Encoded failure'), 'the failure message is stored as is');
    assert.ok(!stored.includes(MARKER), 'plaintext in the stored history');
    assert.ok(!stored.includes('workflows.ts'), 'a stack trace in the stored history');
  });

  it('stores the message and stack of an activity failure encrypted', async () => {
    const handle = await start('failInActivity');
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ActivityFailure);
      assert.ok(err.cause.cause instanceof ApplicationFailure);
      assert.equal(err.cause.cause.message, `activity failed: ${MARKER}`);
      return true;
    });
    const stored = await storedHistory(handle);
    assert.ok(stored.includes('Encoded failure'), 'the failure message is stored as is');
    assert.ok(!stored.includes(MARKER), 'plaintext in the stored history');
    assert.ok(!stored.includes('activities.ts'), 'a stack trace in the stored history');
  });
});
