/** API keys in the ledger: every API replica reads the same keys, so a revocation holds everywhere at once. */
import type { Kysely } from 'kysely';
import type { LedgerTables } from './schema.js';

export interface ApiKeyRecord {
  keyId: string;
  name: string;
  permissions: string[];
  /** Hex SHA-256 of the key's secret part; the key itself is never stored. */
  secretSha256: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface ApiKeyLedger {
  createApiKey(key: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void>;
  apiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Oldest first, revoked ones included. */
  apiKeys(): Promise<ApiKeyRecord[]>;
  /** False when there is no such key; revoking twice keeps the first time. */
  revokeApiKey(keyId: string, at: string): Promise<boolean>;
}

const columns = [
  'key_id as keyId',
  'name',
  'permissions',
  'secret_sha256 as secretSha256',
  'created_at as createdAt',
  'revoked_at as revokedAt',
] as const;

const fromRow = (row: Omit<ApiKeyRecord, 'permissions'> & { permissions: string }): ApiKeyRecord => ({
  ...row,
  permissions: row.permissions ? row.permissions.split(',') : [],
});

export function apiKeyLedger(db: Kysely<LedgerTables>): ApiKeyLedger {
  return {
    async createApiKey(key) {
      await db
        .insertInto('api_keys')
        .values({
          key_id: key.keyId,
          name: key.name,
          permissions: key.permissions.join(','),
          secret_sha256: key.secretSha256,
          created_at: key.createdAt,
          revoked_at: null,
        })
        .execute();
    },
    async apiKey(keyId) {
      const row = await db
        .selectFrom('api_keys')
        .select(columns)
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async apiKeys() {
      const rows = await db
        .selectFrom('api_keys')
        .select(columns)
        .orderBy('created_at')
        .orderBy('key_id')
        .execute();
      return rows.map(fromRow);
    },
    async revokeApiKey(keyId, at) {
      await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('key_id', '=', keyId)
        .where('revoked_at', 'is', null)
        .execute();
      const row = await db
        .selectFrom('api_keys')
        .select('key_id')
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
