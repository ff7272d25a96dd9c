/**
 * The CLI's client: Temporal through envconfig (or the `provisioner dev` running beside it), the same data
 * converter and task queue as the worker.
 */
import { ProvisionerClient } from '../client/index.js';
import { dataConverterFor } from '../codec/index.js';
import { ClientEnv, parseEnv } from '../config.js';
import { loadCodecKeys } from '../dependencies.js';
import { connectTemporalClient } from '../temporal/connect.js';
import { withDevSession } from './dev-session.js';

export async function withClient<T>(
  run: (client: ProvisionerClient, config: ClientEnv) => Promise<T>,
): Promise<T> {
  const config = parseEnv(ClientEnv);
  const dataConverter = dataConverterFor(await loadCodecKeys(config));
  const { connection, namespace } = await connectTemporalClient(
    await withDevSession(config.PROVISIONER_STATE_DIR, process.env),
  );
  try {
    const client = new ProvisionerClient({
      connection,
      namespace,
      taskQueue: config.PROVISIONER_TASK_QUEUE,
      dataConverter,
    });
    return await run(client, config);
  } finally {
    await connection.close();
  }
}
