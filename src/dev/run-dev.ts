/**
 * `provisioner dev`: the embedded default. A Temporal dev server with its Web UI (state kept in
 * .provisioner/temporal.sqlite so a restart keeps workflows), the IdP sandbox (state in
 * .provisioner/sandbox.sqlite) and the worker pointed at it. Runs until SIGINT/SIGTERM; whatever started is
 * stopped, in reverse order, however it ends.
 */
import { NativeConnection } from '@temporalio/worker';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdir } from 'node:fs/promises';
import pretty from 'pino-pretty';
import { generateAuthToken, startCodecServer } from '../codec/index.js';
import { parseEnv, StateEnv, WorkerEnv } from '../config.js';
import { loadCodecKeys, openDependencies } from '../dependencies.js';
import { ApiEnv } from '../api/config.js';
import { runApiServer } from '../api/run.js';
import { recordDevSession } from '../cli/dev-session.js';
import { PACKAGE_VERSION } from '../cli/version.js';
import { createLogger } from '../log.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { faultsFromEnv, startSandbox } from './sandbox/index.js';
import { describeBinary } from './temporal-binary.js';
import { startDevServer } from './temporal-dev-server.js';
import { ensureSearchAttributes } from '../temporal/register-search-attributes.js';
import { createProvisionerWorker } from '../worker.js';

export interface DevOptions {
  temporalPort: number;
  uiPort: number;
  sandboxPort: number;
  apiPort: number;
  /** No write token source: a person makes the writes the IdP leaves to the Partner Portal. */
  assisted?: boolean;
}

const PROVISIONER_BIN = fileURLToPath(new URL('../../bin/provisioner.js', import.meta.url));
const shellQuoted = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The worker's CYBRID_IDP_WRITE_TOKEN_COMMAND in dev: this very command, asking the sandbox for the token
 * of a person signed in to its Partner Portal (provisioner sandbox portal-token).
 */
export const portalTokenCommandOf = (sandboxUrl: string): string =>
  [process.execPath, PROVISIONER_BIN, 'sandbox', 'portal-token', '--url', sandboxUrl]
    .map(shellQuoted)
    .join(' ');

export async function runDev(flags: DevOptions): Promise<void> {
  const stateConfig = parseEnv(StateEnv);
  const stateDir = resolve(stateConfig.PROVISIONER_STATE_DIR);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // A person reads these logs: one readable line each, instead of the worker's JSON.
  const logger = createLogger(
    stateConfig.PROVISIONER_LOG_LEVEL,
    pretty({ translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true }),
  );
  installTemporalRuntime(logger);
  const stops: (() => Promise<void>)[] = [];
  try {
    // The Web UI decodes payloads through a local codec server. The dev UI cannot send a bearer token,
    // so the token travels in the endpoint path (loopback only); the endpoint is never printed or logged.
    const { uiPort } = flags;
    const codec = await startCodecServer({
      keys: await loadCodecKeys(stateConfig),
      authToken: generateAuthToken(),
      allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
      acceptTokenInPath: true,
      logger,
    });
    stops.push(() => codec.close());
    const server = await startDevServer({
      port: flags.temporalPort,
      uiPort,
      uiCodecEndpoint: codec.browserEndpoint,
      dbFilename: join(stateDir, 'temporal.sqlite'),
      log: (line) => logger.info(line),
    });
    stops.push(() => server.stop());
    const sandbox = await startSandbox({
      database: join(stateDir, 'sandbox.sqlite'),
      port: flags.sandboxPort,
      faults: faultsFromEnv(process.env),
    });
    stops.push(() => sandbox.close());

    const config = parseEnv(WorkerEnv, {
      ...process.env,
      CYBRID_IDP_URL: sandbox.url,
      CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
      CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
      CYBRID_IDP_WRITE_TOKEN_COMMAND: flags.assisted ? undefined : portalTokenCommandOf(sandbox.url),
    });
    const deps = await openDependencies(config, logger);
    stops.push(() => deps.close());
    const connection = await NativeConnection.connect({ address: server.address });
    stops.push(() => connection.close());
    await ensureSearchAttributes(connection, server.namespace);
    const worker = await createProvisionerWorker({
      logger,
      connection,
      namespace: server.namespace,
      taskQueue: config.PROVISIONER_TASK_QUEUE,
      deps,
      maxCachedWorkflows: config.PROVISIONER_MAX_CACHED_WORKFLOWS,
    });
    const apiEnv = { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace };
    const api = await runApiServer(parseEnv(ApiEnv, apiEnv), {
      host: '127.0.0.1',
      port: flags.apiPort,
      logger,
      version: PACKAGE_VERSION,
      env: apiEnv,
    });
    stops.push(() => api.close());
    stops.push(
      await recordDevSession(stateDir, {
        temporalAddress: server.address,
        namespace: server.namespace,
        pid: process.pid,
      }),
    );
    process.stderr.write(
      [
        '',
        `Temporal Web UI:  ${server.uiUrl}`,
        `Partner Portal:   ${sandbox.url}/portal (the sandbox's, for the writes a person makes)`,
        `Temporal server:  ${server.address} (namespace ${server.namespace}, CLI ${describeBinary(server.cli)})`,
        `IdP sandbox:      ${sandbox.url} (contract ${sandbox.contract}, organization client id ${sandbox.orgCredentials.clientId})`,
        `Worker:           task queue ${config.PROVISIONER_TASK_QUEUE}, state in ${stateDir}, ${flags.assisted ? 'writes left to a person (--assisted)' : 'writes with the Portal token'}`,
        `HTTP API:         ${api.url} (reference ${api.url}/docs; keys: npx provisioner api-key create --name me --allow onboard,rotate,read)`,
        '',
        `In another terminal, in ${process.cwd()} (the commands find this session through ${stateDir}):`,
        ...(flags.assisted
          ? [
              '  npx provisioner onboard 0123456789abcdef0123456789abcdef --user a@example.com',
              '  npx provisioner tasks   (what to do on the Partner Portal page above, then credential submit / tasks check)',
            ]
          : ['  npx provisioner onboard 0123456789abcdef0123456789abcdef --user a@example.com --wait']),
        `From any other directory: TEMPORAL_ADDRESS=${server.address} PROVISIONER_STATE_DIR=${stateDir} npx provisioner ...`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    await worker.run(); // returns after SIGINT/SIGTERM and a graceful shutdown
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
