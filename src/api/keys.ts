/**
 * API keys: `prov_<keyId>_<secret>`, the key id (16 hex) naming the ledger row, the secret 32 random bytes
 * (base64url). The ledger keeps only the secret's SHA-256: a 256-bit random secret needs no slow hash, and
 * a copy of the ledger grants nothing. The whole key is shown once, when created.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ProvisioningLedger } from '../ledger/index.js';
import type { ApiPermission } from './permissions.js';

const KEY_FORMAT = /^prov_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The key id and secret of something shaped like an API key; undefined for anything else (e.g. a JWT). */
export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = KEY_FORMAT.exec(token);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

/** Whether `secret` is the one whose digest the key's record holds (compared in constant time). */
export function secretMatches(record: Pick<ApiKeyRecord, 'secretSha256'>, secret: string): boolean {
  const expected = Buffer.from(record.secretSha256, 'hex');
  const presented = Buffer.from(sha256(secret), 'hex');
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

/** Creates a key with these permissions; returns its record and the key itself (shown once, never stored). */
export async function createApiKey(
  ledger: ProvisioningLedger,
  name: string,
  permissions: readonly ApiPermission[],
): Promise<{ record: ApiKeyRecord; key: string }> {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    keyId,
    name,
    permissions: [...permissions],
    secretSha256: sha256(secret),
    createdAt: new Date().toISOString(),
    revokedAt: null,
  };
  await ledger.createApiKey(record);
  return { record, key: `prov_${keyId}_${secret}` };
}
