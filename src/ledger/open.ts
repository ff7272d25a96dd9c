/**
 * Opens the ledger named by configuration: PostgreSQL when PROVISIONER_DATABASE_URL is set, otherwise the
 * SQLite file in the state directory. Migrations are applied before anything else uses it; a database that
 * cannot be reached or migrated is one ConfigError naming the variable.
 */
import Database from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  SqliteAdapter,
  SqliteDialect,
  type Dialect,
  type DialectAdapter,
} from 'kysely';
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
    const reason = (error instanceof Error ? error.message : 'migration failed').split('\n')[0];
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
  // better-sqlite3 commits on the event loop: a full fsync per commit would stall every activity of the
  // worker. In WAL mode NORMAL loses no commit when the process dies, only (at worst) the last ones when the
  // machine does, and what the ledger records is found again by the next run (409, then a lookup).
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return new MigrationLockingSqliteDialect({ database });
}

/**
 * Kysely's SQLite adapter takes no lock around migrations; two processes opening a new ledger file at once
 * would both apply them. An immediate transaction makes the second wait (busy_timeout) until the first is done.
 * (better-sqlite3 waits synchronously: this serializes processes, not two openers in one process.)
 */
class MigrationLockingSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
        await sql`begin immediate`.execute(db);
      }
      override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
        // Also called when taking the lock failed; then there is nothing to commit.
        await sql`commit`.execute(db).catch(() => undefined);
      }
    })();
  }
}
