/**
 * The API as a process needs it: configuration parsed once, the ledger, the secret store (a bank API key a
 * person hands over is stored there first), a Temporal client with the worker's data converter;
 * `provisioner api` and `provisioner dev` both start it through here.
 */
import { ProvisionerClient } from '../client/index.js';
import { dataConverterFor } from '../codec/index.js';
import { ledgerLocation, loadCodecKeys, openSecretStore } from '../dependencies.js';
import { openLedger } from '../ledger/index.js';
import type { Logger } from '../log.js';
import { connectTemporalClient } from '../temporal/connect.js';
import { jwtVerificationOf, type ApiEnv } from './config.js';
import { startApiServer, type RunningApiServer } from './server.js';

export async function runApiServer(
  config: ApiEnv,
  options: { host: string; port: number; logger: Logger; version: string; env?: NodeJS.ProcessEnv },
): Promise<RunningApiServer> {
  const dataConverter = dataConverterFor(await loadCodecKeys(config));
  const secrets = await openSecretStore(config);
  const ledger = await openLedger(ledgerLocation(config)).catch(async (err: unknown) => {
    await secrets.close();
    throw err;
  });
  const closeStores = async () => {
    await ledger.close();
    await secrets.close();
  };
  const { connection, namespace } = await connectTemporalClient(options.env).catch(async (err: unknown) => {
    await closeStores();
    throw err;
  });
  const client = new ProvisionerClient({
    connection,
    namespace,
    taskQueue: config.PROVISIONER_TASK_QUEUE,
    dataConverter,
  });
  try {
    const server = await startApiServer({
      client,
      ledger,
      secrets,
      logger: options.logger,
      jwt: jwtVerificationOf(config),
      rateLimitPerMinute: config.PROVISIONER_API_RATE_LIMIT,
      version: options.version,
      host: options.host,
      port: options.port,
    });
    return {
      url: server.url,
      async close() {
        await server.close();
        await connection.close();
        await closeStores();
      },
    };
  } catch (err) {
    await connection.close();
    await closeStores();
    throw err;
  }
}
