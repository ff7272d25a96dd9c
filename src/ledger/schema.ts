/** The ledger's tables as Kysely sees them; `migrations.ts` creates them. */
import type { ApiTables } from './api-schema.js';

export interface LedgerTables extends ApiTables {
  bank_users: { bank_guid: string; user_guid: string; email: string };
  rotations: {
    bank_guid: string;
    workflow_id: string;
    rotated_at: string;
    previous_client_id: string;
    client_id: string;
  };
  disabled_users: { bank_guid: string; user_guid: string; disabled_at: string };
  task_completions: {
    task_id: string;
    bank_guid: string;
    workflow_id: string;
    kind: string;
    completed_by: string;
    completed_at: string;
    evidence: string;
  };
}
