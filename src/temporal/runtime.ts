/**
 * The Temporal SDK's runtime for a process that runs workers: its log lines go through the process's pino
 * logger; its metrics are served for Prometheus when asked.
 */
import { DefaultLogger, type LogLevel, Runtime, type TelemetryOptions } from '@temporalio/worker';
import type { Logger } from '../log.js';

const TEMPORAL_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
};

let runtimeInstalled = false;

export interface TemporalRuntimeOptions {
  /** Serve the SDK's metrics for Prometheus on this address. */
  metricsAddress?: string;
  /**
   * Send the SDK's native core log lines through `logger` (default). Left to the console otherwise:
   * forwarding holds the event loop open until the runtime shuts down, which a process that never
   * opens a native connection (a test file that only spawns workers) would wait for forever.
   */
  forwardCoreLogs?: boolean;
}

/**
 * Installs the Temporal runtime once per process: its log lines go to `logger`. Later calls are no-ops
 * (the SDK allows one install).
 */
export function installTemporalRuntime(logger: Logger, options: TemporalRuntimeOptions = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const { metricsAddress, forwardCoreLogs = true } = options;
  const level = TEMPORAL_LEVEL[logger.level] ?? 'INFO';
  const telemetryOptions: TelemetryOptions = {
    // The SDK's native core logs to the console by itself (coloured plain text); forwarded, its lines go
    // through this logger like every other line of the process. Left on the console, only its warnings.
    logging: forwardCoreLogs
      ? { filter: { core: level, other: 'WARN' }, forward: {} }
      : { filter: { core: 'WARN', other: 'WARN' }, console: {} },
    ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
  };
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const entryLevel = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      logger[entryLevel]({ ...entry.meta, source: 'temporal' }, entry.message);
    }),
    telemetryOptions,
  });
}
