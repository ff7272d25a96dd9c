/**
 * Configuration of `provisioner codec-server`, parsed with `parseEnv(CodecServerEnv)` from config.ts. The
 * keys come from PROVISIONER_CODEC_KEYS, or from the development key file in the state directory when unset
 * (as for the worker), so the codec server always decrypts what the worker encrypted.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { StateEnv } from '../config.js';

/**
 * The Web UI's origin as the browser reports it: the dev server prints 127.0.0.1, people also type
 * localhost, and the two are different origins.
 */
export const DEFAULT_CODEC_CORS_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'] as const;

const Origin = z.string().refine((value) => URL.canParse(value) && new URL(value).origin === value, {
  message: 'must list origins such as https://temporal.example.com (scheme, host, optional port; no path)',
});

export const CodecServerEnv = StateEnv.extend({
  PROVISIONER_CODEC_AUTH_TOKEN: z
    .string({ error: 'is required (the bearer token operators send to the codec server)' })
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
  /** Comma-separated origins of the Web UIs allowed to call the codec server from a browser. */
  PROVISIONER_CODEC_CORS_ORIGINS: z
    .string()
    .default(DEFAULT_CODEC_CORS_ORIGINS.join(','))
    .transform((value) => value.split(',').map((origin) => origin.trim()))
    .pipe(z.array(Origin).min(1)),
});
export type CodecServerEnv = z.infer<typeof CodecServerEnv>;

/** A fresh bearer token, e.g. for the codec server `provisioner dev` starts. */
export function generateAuthToken(): string {
  return randomBytes(32).toString('base64url');
}
