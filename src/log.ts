/**
 * One pino logger for the process, also carrying the Temporal SDK's own log lines. Redacts the fields a
 * secret could travel in, as a second line of defence: code never logs secret values in the first place.
 */
import { DefaultLogger, type LogLevel, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACTED_PATHS = [
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.inviteUrl',
  '*.invite_url',
  '*.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

const TEMPORAL_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
};

let runtimeInstalled = false;

/**
 * Installs the Temporal runtime once per process: its log lines go to `logger`; metrics are served for
 * Prometheus when `metricsAddress` is given. Later calls are no-ops (the SDK allows one install).
 */
export function installTemporalRuntime(logger: Logger, metricsAddress?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = TEMPORAL_LEVEL[logger.level] ?? 'INFO';
  const telemetryOptions: TelemetryOptions = {
    // The SDK's native core logs to the console by itself (coloured plain text); forwarded, its lines go
    // through this logger like every other line of the process.
    logging: { filter: { core: level, other: 'WARN' }, forward: {} },
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
