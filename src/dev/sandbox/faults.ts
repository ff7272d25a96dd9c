/** The sandbox's fault settings: their schema, defaults, and reading them from the environment. */
import { z } from 'zod';
import { parseOrThrow } from '../../model/validation.js';

const rate = z.number().min(0).max(1);

export const SandboxFaultsSchema = z.strictObject({
  /** Share of requests answered 500/502/503 before handling; nothing is committed. */
  errorRate: rate,
  /** Share of requests answered 429 with `Retry-After: 1`. */
  throttleRate: rate,
  /** Share of /api/* writes that commit and then lose their response (the connection is destroyed). */
  lostResponseRate: rate,
  /** Delay added to every request. */
  latencyMs: z.number().min(0).max(600_000),
  /** Requests per second across all clients (token bucket), then 429; 0 = unlimited. */
  rateLimit: z.number().min(0),
  /** Seed of the fault generator: the same seed and request sequence give the same faults. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  /** Scopes /oauth/token silently drops from every grant (IdPs newer than v0.129.899 do this). */
  dropScopes: z.array(z.string().min(1)),
  /**
   * Emails `POST /api/users` answers 409 without creating anyone, as if a user outside the organization had
   * them (unknown whether the IdP does that): no user list shows them.
   */
  takenEmails: z.array(z.string().min(1)),
});

export type SandboxFaults = z.infer<typeof SandboxFaultsSchema>;

export const SandboxFaultsPatch = SandboxFaultsSchema.partial();

export const DEFAULT_FAULTS: Readonly<SandboxFaults> = {
  errorRate: 0,
  throttleRate: 0,
  lostResponseRate: 0,
  latencyMs: 0,
  rateLimit: 0,
  seed: 0,
  dropScopes: [],
  takenEmails: [],
};

export const FAULT_ENV: Readonly<Record<keyof SandboxFaults, string>> = {
  errorRate: 'SANDBOX_ERROR_RATE',
  throttleRate: 'SANDBOX_THROTTLE_RATE',
  lostResponseRate: 'SANDBOX_LOST_RESPONSE_RATE',
  latencyMs: 'SANDBOX_LATENCY_MS',
  rateLimit: 'SANDBOX_RATE_LIMIT',
  seed: 'SANDBOX_SEED',
  dropScopes: 'SANDBOX_DROP_SCOPES',
  takenEmails: 'SANDBOX_TAKEN_EMAILS',
};

/**
 * Faults written as text, as the environment and the command line give them: `textOf(key)` reads one and
 * `nameOf(key)` names it in errors. Unset or empty ones are left out; a bad one throws, naming it.
 */
function faultsFromText(
  textOf: (key: keyof SandboxFaults) => string | undefined,
  nameOf: (key: keyof SandboxFaults) => string,
): Partial<SandboxFaults> {
  const faults: Record<string, unknown> = {};
  for (const key of Object.keys(SandboxFaultsSchema.shape) as (keyof SandboxFaults)[]) {
    const raw = textOf(key)?.trim();
    if (raw === undefined || raw === '') continue;
    const value =
      SandboxFaultsSchema.shape[key] instanceof z.ZodArray
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : Number(raw);
    faults[key] = parseOrThrow(
      SandboxFaultsSchema.shape[key],
      value,
      (problems) => new Error(`${problems} (given "${raw}")`),
      nameOf(key),
    );
  }
  return SandboxFaultsPatch.parse(faults);
}

/** Faults set in the environment (SANDBOX_ERROR_RATE, ...). */
export const faultsFromEnv = (env: NodeJS.ProcessEnv) =>
  faultsFromText(
    (key) => env[FAULT_ENV[key]],
    (key) => FAULT_ENV[key],
  );

/** Faults given on the command line (--error-rate, ...), as commander names them (errorRate, ...). */
export const faultsFromFlags = (flags: Partial<Record<keyof SandboxFaults, string>>) =>
  faultsFromText(
    (key) => flags[key],
    (key) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
  );

/** Validates a partial set of faults; throws an Error that names the bad fields. */
export function parseFaultsPatch(patch: unknown): Partial<SandboxFaults> {
  return parseOrThrow(
    SandboxFaultsPatch,
    patch,
    (problems) => new Error(`Invalid sandbox faults: ${problems}`),
  );
}
