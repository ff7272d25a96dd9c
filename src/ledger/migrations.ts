/**
 * The ledger's schema, as versioned migrations applied in name order at start (the Kysely migrator records
 * which ran; on PostgreSQL it holds an advisory lock, so workers starting together apply each one once).
 * Never edit a migration that has shipped: add the next one. Types portable to SQLite and PostgreSQL only.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { apiMigration } from './api-migration.js';

export const LEDGER_MIGRATIONS: Record<string, Migration> = {
  '0001-bank-users-and-rotations': {
    async up(db: Kysely<unknown>) {
      // "if not exists": ledgers written before migrations existed already have these tables.
      await db.schema
        .createTable('bank_users')
        .ifNotExists()
        .addColumn('bank_guid', 'text', (c) => c.notNull())
        .addColumn('user_guid', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bank_users_pkey', ['bank_guid', 'user_guid'])
        .execute();
      await db.schema
        .createTable('rotations')
        .ifNotExists()
        .addColumn('bank_guid', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('rotated_at', 'text', (c) => c.notNull())
        .addColumn('previous_client_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rotations_pkey', ['bank_guid', 'workflow_id'])
        .execute();
    },
  },
  '0002-api-keys-idempotency-webhooks': apiMigration,
  '0003-desired-state': {
    async up(db: Kysely<unknown>) {
      // Users a manifest's prune disabled: the IdP does not say whether a user is disabled, and a disabled
      // user stays in its user list.
      await db.schema
        .createTable('disabled_users')
        .addColumn('bank_guid', 'text', (c) => c.notNull())
        .addColumn('user_guid', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('disabled_users_pkey', ['bank_guid', 'user_guid'])
        .execute();
      // A rotation is identified by the application it created: every rotation of a bank runs under the
      // bank's one workflow id, so keyed by workflow id only its first rotation was ever recorded.
      await db.schema
        .createTable('rotations_by_client')
        .addColumn('bank_guid', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('rotated_at', 'text', (c) => c.notNull())
        .addColumn('previous_client_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rotations_by_client_pkey', ['bank_guid', 'client_id'])
        .execute();
      await sql`insert into rotations_by_client select bank_guid, workflow_id, rotated_at, previous_client_id, client_id from rotations`.execute(
        db,
      );
      await db.schema.dropTable('rotations').execute();
      await db.schema.alterTable('rotations_by_client').renameTo('rotations').execute();
    },
  },
  '0004-task-completions': {
    async up(db: Kysely<unknown>) {
      // Who completed each task for a person, and how it was established (a read, or the person's word).
      await db.schema
        .createTable('task_completions')
        .addColumn('task_id', 'text', (c) => c.primaryKey())
        .addColumn('bank_guid', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('completed_by', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('task_completions_by_bank')
        .on('task_completions')
        .columns(['bank_guid', 'completed_at'])
        .execute();
    },
  },
};
