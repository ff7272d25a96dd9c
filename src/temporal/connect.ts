/**
 * Temporal connections from @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TLS variables, profiles). A server that does not answer is one clear error, not a hang.
 */
import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

const CONNECT_TIMEOUT_MS = 10_000;

export class TemporalUnreachable extends Error {
  override name = 'TemporalUnreachable';
}

function connectConfig(env: NodeJS.ProcessEnv) {
  const config = loadClientConnectConfig({
    overrideEnvVars: Object.fromEntries(
      Object.entries(env).filter(
        (e): e is [string, string] => e[0].startsWith('TEMPORAL_') && e[1] !== undefined,
      ),
    ),
  });
  const address = config.connectionOptions.address ?? 'localhost:7233';
  return { config, address, namespace: config.namespace ?? 'default' };
}

async function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TemporalUnreachable(`${what} did not answer within ${CONNECT_TIMEOUT_MS / 1000}s`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (err) {
    if (err instanceof TemporalUnreachable) throw err;
    throw new TemporalUnreachable(`${what} is not reachable: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The worker's connection. */
export async function connectTemporal(env: NodeJS.ProcessEnv = process.env) {
  // Loaded here, not at the top: the CLI imports this module, and the worker SDK (its native core) would
  // add about half a second to every command's start.
  const { NativeConnection } = await import('@temporalio/worker');
  const { config, address, namespace } = connectConfig(env);
  const connection = await withTimeout(
    `Temporal server at ${address} (TEMPORAL_ADDRESS)`,
    NativeConnection.connect({ ...config.connectionOptions, address }),
  );
  return { connection, namespace, address };
}

/** A client connection (CLI, typed client). */
export async function connectTemporalClient(env: NodeJS.ProcessEnv = process.env) {
  const { config, address, namespace } = connectConfig(env);
  const { connectionOptions } = config;
  const connection = await withTimeout(
    `Temporal server at ${address} (TEMPORAL_ADDRESS)`,
    Connection.connect({
      address,
      tls: connectionOptions.tls,
      apiKey: connectionOptions.apiKey,
      metadata: connectionOptions.metadata,
      connectTimeout: CONNECT_TIMEOUT_MS,
    }),
  );
  return { connection, namespace, address };
}
