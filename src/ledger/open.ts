/**
 * Opens the ledger named by configuration: PostgreSQL when PROVISIONER_DATABASE_URL is set, otherwise the
 * SQLite file in the state directory. Migrations are applied before anything else uses it; a database that
 * cannot be reached or migrated is one ConfigError naming the variable.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { ConfigError } from '../config.js';
import { kyselyLedger, type ProvisioningLedger } from './ledger.js';
import { LEDGER_MIGRATIONS } from './migrations.js';
import type { LedgerTables } from './schema.js';

export interface LedgerLocation {
  /** postgres://… ; the SQLite file is used when undefined. */
  databaseUrl?: string;
  sqliteFile: string;
}

export async function openLedger(location: LedgerLocation): Promise<ProvisioningLedger> {
  const db = new Kysely<LedgerTables>({
    dialect: location.databaseUrl ? postgres(location.databaseUrl) : sqlite(location.sqliteFile),
  });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(LEDGER_MIGRATIONS) },
    migrationTableName: 'ledger_migration',
    migrationLockTableName: 'ledger_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const where = location.databaseUrl
      ? 'PROVISIONER_DATABASE_URL'
      : `the ledger file ${location.sqliteFile}`;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`Invalid configuration: ${where}: the ledger database cannot be opened: ${reason}`);
  }
  return kyselyLedger(db);
}

function postgres(connectionString: string): Dialect {
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 10_000, max: 10 });
  // An idle connection the server closed: the pool drops it and the next query opens another.
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool });
}

function sqlite(file: string): Dialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database });
}
