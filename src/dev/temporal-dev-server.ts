/**
 * Starts a real Temporal dev server (`temporal server start-dev`) through @temporalio/testing, with the
 * binary found by findTemporalCli. Used by the test runner, `provisioner dev` and the benchmarks.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli, type TemporalBinary } from './temporal-binary.js';

export interface DevServerOptions {
  /** SQLite file so a restart keeps workflows; in memory when absent. */
  dbFilename?: string;
  ip?: string;
  port?: number;
  /** Web UI port; the UI is off when absent. */
  uiPort?: number;
  /** Codec server the Web UI calls to decode payloads. */
  uiCodecEndpoint?: string;
  namespace?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  cli: TemporalBinary;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = await findTemporalCli({ log: options.log });
  const namespace = options.namespace ?? 'default';
  const ip = options.ip ?? '127.0.0.1';
  const extraArgs = [
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.workerVersioningWorkflowAPIs=true',
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.path ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      namespace,
      ip,
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      extraArgs,
    },
  });
  return {
    address: env.address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    cli,
    env,
    stop: () => env.teardown(),
  };
}
