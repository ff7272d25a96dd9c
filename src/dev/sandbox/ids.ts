/** Identifiers, secrets and timestamps in the formats the IdP uses. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 lowercase hexadecimal characters, like every guid and client id on the platform. */
export const newGuid = (): string => randomBytes(16).toString('hex');

/** 43 URL-safe base64 characters (256 random bits), like the client secrets seen in the wild. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

export const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares a presented secret with a stored hash in constant time (both sides are 32-byte digests). */
export const secretMatches = (presented: string, storedHash: Buffer): boolean =>
  timingSafeEqual(sha256(presented), storedHash);

/** ISO-8601 UTC with milliseconds, as the platform's other services emit. */
export const isoNow = (): string => new Date().toISOString();
