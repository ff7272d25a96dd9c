/**
 * One pino logger for the process (temporal/runtime.ts sends the Temporal SDK's own lines through it). Redacts the fields a
 * secret could travel in, as a second line of defence: code never logs secret values in the first place.
 */
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
