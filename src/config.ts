/**
 * Configuration of the worker and the CLI, parsed once at start from the environment with zod. A bad or
 * missing variable is one clear line naming it. (The Temporal connection comes from @temporalio/envconfig.)
 */
import { z } from 'zod';
import { parseOrThrow } from './model/validation.js';

const rate = z.coerce.number().int().min(1);

/**
 * Local state shared by the worker and the CLI started side by side: the secret store, the ledger and the
 * development keys live under PROVISIONER_STATE_DIR (default .provisioner, git-ignored).
 */
export const StateEnv = z.object({
  PROVISIONER_STATE_DIR: z.string().min(1).default('.provisioner'),
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
  /** Concurrent IdP calls per user batch. */
  PROVISIONER_USER_CONCURRENCY: rate.max(64).default(8),
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
