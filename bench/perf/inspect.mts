import { projectSetup, startTemporal, startSandboxProcess, startProjectWorker, stopAll } from './processes.js';
import { ProvisionerClient } from '../../src/client/index.js';
import { dataConverterFor } from '../../src/codec/index.js';
import { parseKeyring } from '../../src/keyring.js';
import { bundleWorkflows } from '../../src/worker.js';
import { createLogger } from '../../src/log.js';
import { writeFile } from 'node:fs/promises';
import proto from '@temporalio/proto';
try {
  await writeFile('/tmp/bc/wb.js', await bundleWorkflows(createLogger('warn')));
  const server = await startTemporal();
  const setup = await projectSetup('/tmp/bc/wb.js');
  const sandbox = await startSandboxProcess();
  const worker = await startProjectWorker(server, sandbox, setup, { taskQueue: 'inspect' });
  const client = new ProvisionerClient({ connection: server.connection, namespace: 'default', taskQueue: 'inspect', dataConverter: dataConverterFor(parseKeyring(setup.codecKeys, 'X')) });
  const h = await client.startOnboarding({ bankGuid: 'a'.repeat(32), users: [{ email: 'x@example.com' }] });
  console.log(await h.result());
  const events = (await h.fetchHistory()).events ?? [];
  for (const e of events) console.log(proto.temporal.api.enums.v1.EventType[e.eventType!]);
  void worker;
} finally { await stopAll(); }
