/** The CLI's client: Temporal through envconfig, the same data converter and task queue as the worker. */
import { ProvisionerClient } from '../client/index.js';
import { ClientEnv, parseEnv } from '../config.js';
import { openStateDependencies, type StateDependencies } from '../dependencies.js';
import { connectTemporalClient } from '../temporal/connect.js';

export async function withClient<T>(
  run: (client: ProvisionerClient, state: StateDependencies) => Promise<T>,
): Promise<T> {
  const config = parseEnv(ClientEnv);
  const state = await openStateDependencies(config);
  const { connection, namespace } = await connectTemporalClient();
  try {
    const client = new ProvisionerClient({
      connection,
      namespace,
      taskQueue: config.PROVISIONER_TASK_QUEUE,
      dataConverter: state.dataConverter,
    });
    return await run(client, state);
  } finally {
    await connection.close();
  }
}
