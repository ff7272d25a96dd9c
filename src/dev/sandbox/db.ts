/**
 * The sandbox's SQLite database: opened once, schema created if missing. A file database uses WAL so a
 * restart loses nothing that was answered; ':memory:' is for unit tests.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applications (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id    TEXT NOT NULL UNIQUE,
  guid         TEXT UNIQUE,
  kind         TEXT NOT NULL CHECK (kind IN ('bank', 'organization')),
  bank_guid    TEXT,
  name         TEXT NOT NULL,
  secret_hash  BLOB NOT NULL,
  scopes       TEXT NOT NULL,
  ip_allowlist TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  expires_at   TEXT
);
CREATE INDEX IF NOT EXISTS applications_listing ON applications (kind, bank_guid, created_at, id);
CREATE TABLE IF NOT EXISTS users (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  guid           TEXT NOT NULL UNIQUE,
  email          TEXT NOT NULL,
  email_key      TEXT NOT NULL UNIQUE,
  allowed_scopes TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  disabled_at    TEXT
);
CREATE INDEX IF NOT EXISTS users_listing ON users (created_at, id);
CREATE TABLE IF NOT EXISTS customers (
  guid       TEXT PRIMARY KEY,
  bank_guid  TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

export function openDatabase(path: string): Db {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  if (!inMemory) {
    // The file holds the signing key and, when generated, the organization secret.
    chmodSync(path, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  // Databases written before applications could expire.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(applications)').all();
  if (!columns.some((column) => column.name === 'expires_at'))
    db.exec('ALTER TABLE applications ADD COLUMN expires_at TEXT');
  // Databases written before applications had a guid: every existing one gets a fresh one.
  if (!columns.some((column) => column.name === 'guid')) {
    db.exec('ALTER TABLE applications ADD COLUMN guid TEXT');
    db.exec('UPDATE applications SET guid = lower(hex(randomblob(16))) WHERE guid IS NULL');
    db.exec('CREATE UNIQUE INDEX applications_guid ON applications (guid)');
  }
  return db;
}
