/**
 * Configuration of `provisioner api`, parsed once at start: what the CLI needs to start workflows, plus the
 * optional JWT verification (all three variables or none) and the per-caller rate limit.
 */
import { z } from 'zod';
import { ClientEnv } from '../config.js';

export const ApiEnv = ClientEnv.extend({
  /** The organization IdP's JWKS; with it, JWTs are accepted beside API keys. */
  PROVISIONER_API_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  PROVISIONER_API_JWT_ISSUER: z.string().min(1).optional(),
  PROVISIONER_API_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Requests per minute per caller (API key or JWT subject), on each API replica. */
  PROVISIONER_API_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
}).superRefine((env, ctx) => {
  const jwt = [
    'PROVISIONER_API_JWKS_URL',
    'PROVISIONER_API_JWT_ISSUER',
    'PROVISIONER_API_JWT_AUDIENCE',
  ] as const;
  const set = jwt.filter((name) => env[name] !== undefined);
  if (set.length > 0 && set.length < jwt.length) {
    for (const name of jwt.filter((n) => env[n] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `is required with ${set.join(', ')}` });
    }
  }
});
export type ApiEnv = z.infer<typeof ApiEnv>;

export interface JwtVerification {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export function jwtVerificationOf(env: ApiEnv): JwtVerification | undefined {
  const { PROVISIONER_API_JWKS_URL: jwksUrl, PROVISIONER_API_JWT_ISSUER: issuer } = env;
  const audience = env.PROVISIONER_API_JWT_AUDIENCE;
  return jwksUrl && issuer && audience ? { jwksUrl, issuer, audience } : undefined;
}
