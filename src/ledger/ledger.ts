/**
 * The provisioning ledger: what this worker provisioned for each bank, so offboarding knows which users to
 * disable and `status` can show past rotations and the tasks people completed. The IdP itself cannot tell (users are organization-wide and
 * carry no bank). Holds no secrets.
 *
 * One implementation over Kysely serves both backends: SQLite (one file shared by worker and CLI, the local
 * default) and PostgreSQL (shared by every worker). New data is a table in `schema.ts`, a migration in
 * `migrations.ts` and methods here; the shared suite in test/ledger runs them against both.
 */
import type { Kysely } from 'kysely';
import { apiKeyLedger, type ApiKeyLedger } from './api-keys.js';
import { idempotencyLedger, type IdempotencyLedger } from './idempotency.js';
import type { LedgerTables } from './schema.js';
import { webhookLedger, type WebhookLedger } from './webhook-subscriptions.js';

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

/** A task a person completed (model/workflow-safe/tasks.ts): who, when, and how it was established. */
export interface TaskCompletionRecord {
  taskId: string;
  bankGuid: string;
  workflowId: string;
  kind: string;
  by: string;
  at: string;
  evidence: 'verified' | 'confirmed';
}

/** What was provisioned, plus what the HTTP API and the webhooks share between replicas (their own files). */
export interface ProvisioningLedger extends ApiKeyLedger, IdempotencyLedger, WebhookLedger {
  /** Idempotent: recording the same user twice keeps one row. */
  recordUsers(bankGuid: string, users: readonly LedgerUser[]): Promise<void>;
  /** Ordered by email. */
  usersOf(bankGuid: string): Promise<LedgerUser[]>;
  /** Idempotent per new client id (a rotation creates one application). */
  recordRotation(bankGuid: string, rotation: RotationRecord): Promise<void>;
  /** Oldest first. */
  rotationsOf(bankGuid: string): Promise<RotationRecord[]>;
  /** Users of the bank this worker disabled (idempotent; the first time is kept). */
  recordDisabled(bankGuid: string, userGuids: readonly string[], disabledAt: string): Promise<void>;
  /** Guids of the bank's users this worker disabled. */
  disabledUsersOf(bankGuid: string): Promise<string[]>;
  /** Idempotent per task id (a retry keeps the first record). */
  recordTaskCompletion(completion: TaskCompletionRecord): Promise<void>;
  /** Oldest first. */
  taskCompletionsOf(bankGuid: string): Promise<TaskCompletionRecord[]>;
  /** Guids of every user recorded for any bank. */
  recordedUserGuids(): Promise<string[]>;
  close(): Promise<void>;
}

export function kyselyLedger(db: Kysely<LedgerTables>): ProvisioningLedger {
  return {
    ...apiKeyLedger(db),
    ...idempotencyLedger(db),
    ...webhookLedger(db),
    async recordUsers(bankGuid, users) {
      if (users.length === 0) return;
      await db
        .insertInto('bank_users')
        .values(users.map((u) => ({ bank_guid: bankGuid, user_guid: u.guid, email: u.email })))
        .onConflict((conflict) => conflict.columns(['bank_guid', 'user_guid']).doNothing())
        .execute();
    },
    usersOf: (bankGuid) =>
      db
        .selectFrom('bank_users')
        .select(['user_guid as guid', 'email'])
        .where('bank_guid', '=', bankGuid)
        .orderBy('email')
        .execute(),
    async recordRotation(bankGuid, r) {
      await db
        .insertInto('rotations')
        .values({
          bank_guid: bankGuid,
          workflow_id: r.workflowId,
          rotated_at: r.rotatedAt,
          previous_client_id: r.previousClientId,
          client_id: r.clientId,
        })
        .onConflict((conflict) => conflict.columns(['bank_guid', 'client_id']).doNothing())
        .execute();
    },
    rotationsOf: (bankGuid) =>
      db
        .selectFrom('rotations')
        .select([
          'rotated_at as rotatedAt',
          'previous_client_id as previousClientId',
          'client_id as clientId',
          'workflow_id as workflowId',
        ])
        .where('bank_guid', '=', bankGuid)
        .orderBy('rotated_at')
        .execute(),
    async recordDisabled(bankGuid, userGuids, disabledAt) {
      if (userGuids.length === 0) return;
      await db
        .insertInto('disabled_users')
        .values(userGuids.map((guid) => ({ bank_guid: bankGuid, user_guid: guid, disabled_at: disabledAt })))
        .onConflict((conflict) => conflict.columns(['bank_guid', 'user_guid']).doNothing())
        .execute();
    },
    disabledUsersOf: async (bankGuid) =>
      (
        await db
          .selectFrom('disabled_users')
          .select('user_guid')
          .where('bank_guid', '=', bankGuid)
          .orderBy('user_guid')
          .execute()
      ).map((row) => row.user_guid),
    async recordTaskCompletion(c) {
      await db
        .insertInto('task_completions')
        .values({
          task_id: c.taskId,
          bank_guid: c.bankGuid,
          workflow_id: c.workflowId,
          kind: c.kind,
          completed_by: c.by,
          completed_at: c.at,
          evidence: c.evidence,
        })
        .onConflict((conflict) => conflict.column('task_id').doNothing())
        .execute();
    },
    taskCompletionsOf: async (bankGuid) =>
      (
        await db
          .selectFrom('task_completions')
          .selectAll()
          .where('bank_guid', '=', bankGuid)
          .orderBy('completed_at')
          .orderBy('task_id')
          .execute()
      ).map((row) => ({
        taskId: row.task_id,
        bankGuid: row.bank_guid,
        workflowId: row.workflow_id,
        kind: row.kind,
        by: row.completed_by,
        at: row.completed_at,
        evidence: row.evidence as TaskCompletionRecord['evidence'],
      })),
    recordedUserGuids: async () =>
      (await db.selectFrom('bank_users').select('user_guid').distinct().orderBy('user_guid').execute()).map(
        (row) => row.user_guid,
      ),
    close: () => db.destroy(),
  };
}
