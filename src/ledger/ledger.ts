/**
 * The provisioning ledger: what this worker provisioned for each bank, so offboarding knows which users to
 * disable and `status` can show past rotations. The IdP itself cannot tell (users are organization-wide and
 * carry no bank). Holds no secrets. The local default is one SQLite file shared by worker and CLI.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LedgerUser {
  guid: string;
  email: string;
}

export interface RotationRecord {
  rotatedAt: string;
  previousClientId: string;
  clientId: string;
  workflowId: string;
}

export interface ProvisioningLedger {
  /** Idempotent: recording the same user twice keeps one row. */
  recordUsers(bankGuid: string, users: readonly LedgerUser[]): void;
  usersOf(bankGuid: string): LedgerUser[];
  /** Idempotent per workflowId. */
  recordRotation(bankGuid: string, rotation: RotationRecord): void;
  rotationsOf(bankGuid: string): RotationRecord[];
  close(): void;
}

export function openSqliteLedger(file: string): ProvisioningLedger {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS bank_users (
      bank_guid TEXT NOT NULL, user_guid TEXT NOT NULL, email TEXT NOT NULL,
      PRIMARY KEY (bank_guid, user_guid));
    CREATE TABLE IF NOT EXISTS rotations (
      bank_guid TEXT NOT NULL, workflow_id TEXT NOT NULL, rotated_at TEXT NOT NULL,
      previous_client_id TEXT NOT NULL, client_id TEXT NOT NULL,
      PRIMARY KEY (bank_guid, workflow_id));
  `);
  const insertUser = db.prepare(
    'INSERT OR IGNORE INTO bank_users (bank_guid, user_guid, email) VALUES (?, ?, ?)',
  );
  const selectUsers = db.prepare<[string], LedgerUser>(
    'SELECT user_guid AS guid, email FROM bank_users WHERE bank_guid = ? ORDER BY email',
  );
  const insertRotation = db.prepare(
    'INSERT OR IGNORE INTO rotations (bank_guid, workflow_id, rotated_at, previous_client_id, client_id) VALUES (?, ?, ?, ?, ?)',
  );
  const selectRotations = db.prepare<[string], RotationRecord>(
    `SELECT rotated_at AS rotatedAt, previous_client_id AS previousClientId, client_id AS clientId,
            workflow_id AS workflowId FROM rotations WHERE bank_guid = ? ORDER BY rotated_at`,
  );
  const recordUsers = db.transaction((bankGuid: string, users: readonly LedgerUser[]) => {
    for (const user of users) insertUser.run(bankGuid, user.guid, user.email);
  });
  return {
    recordUsers: (bankGuid, users) => recordUsers(bankGuid, users),
    usersOf: (bankGuid) => selectUsers.all(bankGuid),
    recordRotation: (bankGuid, r) =>
      void insertRotation.run(bankGuid, r.workflowId, r.rotatedAt, r.previousClientId, r.clientId),
    rotationsOf: (bankGuid) => selectRotations.all(bankGuid),
    close: () => db.close(),
  };
}
