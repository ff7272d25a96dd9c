/**
 * Configuration of the worker and the CLI, parsed once at start from the environment with zod. A bad or
 * missing variable is one clear line naming it. (The Temporal connection comes from @temporalio/envconfig.)
 */
import { z } from 'zod';
import {
  APPLICATION_EXPIRY_LIMITS,
  DEFAULT_KEY_LIFETIME,
  MAXIMUM_KEY_LIFETIME_MS,
} from './idp/application-expiry.js';
import { DURATION_PATTERN, durationMs } from './model/workflow-safe/durations.js';
import {
  DEFAULT_TASK_DEADLINE,
  DEFAULT_TASK_REMINDER,
  DEFAULT_WRITE_MODE,
  WRITE_MODES,
} from './model/workflow-safe/tasks.js';
import { parseOrThrow } from './model/validation.js';

const rate = z.coerce.number().int().min(1);

/** A duration such as 90s, 15m, 24h or 90d, parsed to milliseconds. */
const duration = z
  .string()
  .regex(DURATION_PATTERN, 'must be a duration such as 30s, 15m, 24h or 90d')
  .transform((value) => durationMs(value));

/**
 * Where state lives. By default everything is local, under PROVISIONER_STATE_DIR (default .provisioner,
 * git-ignored), shared by the worker and the CLI started side by side. In production the secret store is
 * AWS Secrets Manager and the ledger PostgreSQL, shared by every worker on every host.
 */
export const StateEnv = z.object({
  PROVISIONER_STATE_DIR: z.string().min(1).default('.provisioner'),
  PROVISIONER_SECRET_STORE: z.enum(['local', 'aws'], { error: 'must be "local" or "aws"' }).default('local'),
  /** Prepended to every secret name in Secrets Manager; IAM policies grant the worker this prefix. */
  PROVISIONER_AWS_SECRET_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]*$/, 'may hold only letters, digits and /_+=.@-')
    .default('cybrid-provisioner/'),
  /** KMS key for new secrets (id, ARN or alias); Secrets Manager's default key when unset. */
  PROVISIONER_AWS_KMS_KEY_ID: z.string().min(1).optional(),
  /** postgres://user:password@host:port/database puts the ledger in PostgreSQL; SQLite in the state dir otherwise. */
  PROVISIONER_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres://user:password@host:port/database URL' })
    .optional(),
  /** "id:base64key,..." (first = current); a key file in the state dir is created when unset. */
  PROVISIONER_SECRET_KEYS: z.string().min(1).optional(),
  /** "id:base64key,..." (first = current) for payload encryption; a key file in the state dir when unset. */
  PROVISIONER_CODEC_KEYS: z.string().min(1).optional(),
  PROVISIONER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});
export type StateEnv = z.infer<typeof StateEnv>;

/** What the CLI needs to start workflows: the state (for keys) and the worker's task queue. */
export const ClientEnv = StateEnv.extend({
  PROVISIONER_TASK_QUEUE: z.string().min(1).default('cybrid-provisioning'),
});
export type ClientEnv = z.infer<typeof ClientEnv>;

/** PROVISIONER_MAX_CACHED_WORKFLOWS when unset: see docs/performance.md, "Operations waiting for a person". */
const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

export const WorkerEnv = ClientEnv.extend({
  CYBRID_IDP_URL: z.url({ protocol: /^https?$/ }).default('https://id.sandbox.cybrid.app'),
  CYBRID_CLIENT_ID: z
    .string({ error: 'is required (organization client id of the worker)' })
    .min(1, 'is required'),
  CYBRID_CLIENT_SECRET: z
    .string({ error: 'is required (organization client secret of the worker)' })
    .min(1, 'is required'),
  /** host:port for the worker's Prometheus metrics; off when unset. */
  PROVISIONER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
    .optional(),
  /** Prebuilt workflow bundle (`npm run build` writes dist/workflow-bundle.js); bundled from source when unset. */
  PROVISIONER_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * Workflows the worker keeps in memory between their tasks (Temporal's sticky cache, least recently used
   * evicted first). An evicted one is rebuilt from its history at its next task. Bounds the worker's memory
   * whatever the number of operations waiting, e.g. days for a person: the SDK's own default grows with the
   * heap limit (about 2,300 workflows on a 4 GiB heap).
   */
  PROVISIONER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(2)
    .max(100_000)
    .default(DEFAULT_MAX_CACHED_WORKFLOWS),
  /** Concurrent IdP calls per user batch. */
  PROVISIONER_USER_CONCURRENCY: rate.max(64).default(8),
  /**
   * Requests per second the IdP allows the organization's credential: the workers of the task queue share it
   * (each sends its part, evenly). Unlimited when unset; every worker of a task queue sets the same value.
   */
  PROVISIONER_IDP_RATE_LIMIT: z.coerce.number().positive().optional(),
  /**
   * How long a create of an application may be in flight (longer than the IdP client's request timeout): an
   * operation's own application without a stored secret is deleted as an orphan only once older than this.
   */
  PROVISIONER_ORPHAN_GRACE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** The expiry of a new bank API key when none is asked for, from its creation (the IdP requires one). */
  PROVISIONER_KEY_LIFETIME: duration
    .pipe(
      z
        .number()
        .min(durationMs('1h'), 'must be at least 1h')
        .max(
          MAXIMUM_KEY_LIFETIME_MS,
          `must be at most ${APPLICATION_EXPIRY_LIMITS.maximumLifetime} (the longest key lifetime the IdP is expected to accept)`,
        ),
    )
    .default(durationMs(DEFAULT_KEY_LIFETIME)),
  /**
   * A shell command printing {"access_token", "expires_in"} of a token that may write (a person's, e.g. the
   * Partner Portal's): the worker makes with it the writes the IdP no longer grants its API key.
   */
  CYBRID_IDP_WRITE_TOKEN_COMMAND: z.string().trim().min(1, 'must be a command when set').optional(),
  /** Who makes a write (model/workflow-safe/tasks.ts WRITE_MODES): the worker, a person, or whoever can. */
  PROVISIONER_WRITE_MODE: z
    .enum(WRITE_MODES, { error: `must be one of ${WRITE_MODES.join(', ')}` })
    .default(DEFAULT_WRITE_MODE),
  /** How long a person has for a task before the operation fails (TaskExpired); an operation may say otherwise. */
  PROVISIONER_TASK_DEADLINE: duration
    .pipe(z.number().min(durationMs('1m'), 'must be at least 1m'))
    .default(durationMs(DEFAULT_TASK_DEADLINE)),
  /** How often an open task is recalled to the person (task.reminder); an operation may say otherwise. */
  PROVISIONER_TASK_REMINDER: duration
    .pipe(z.number().min(durationMs('1m'), 'must be at least 1m'))
    .default(durationMs(DEFAULT_TASK_REMINDER)),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses `env` with `schema`; throws a ConfigError whose message is one line naming each bad variable (never
 * its value: it may be a secret).
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  return parseOrThrow(schema, env, (problems) => new ConfigError(`Invalid configuration: ${problems}`));
}
