/** Applications (bank and organization API keys) in SQLite. Secrets are stored only as SHA-256 hashes. */
import type { Application } from '../../model/idp-schemas.js';
import type { ContractBehaviour } from './contracts.js';
import type { CredentialKind } from './credential-scopes.js';
import type { Db } from './db.js';

export interface StoredApplication {
  clientId: string;
  /** 32 lowercase hex; shown, and accepted in paths, by contracts since v0.129.1242. */
  guid: string;
  kind: CredentialKind;
  bankGuid: string | null;
  name: string;
  secretHash: Buffer;
  scopes: string[];
  ipAllowlist: string[];
  createdAt: string;
  updatedAt: string;
  /** When its credential stops working; null when it does not expire. */
  expiresAt: string | null;
}

/** Which applications a caller may see: one kind, optionally one bank. */
export interface ApplicationFilter {
  kind: CredentialKind;
  bankGuid?: string;
}

interface Row {
  client_id: string;
  guid: string;
  kind: CredentialKind;
  bank_guid: string | null;
  name: string;
  secret_hash: Buffer;
  scopes: string;
  ip_allowlist: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
}

const fromRow = (row: Row): StoredApplication => ({
  clientId: row.client_id,
  guid: row.guid,
  kind: row.kind,
  bankGuid: row.bank_guid,
  name: row.name,
  secretHash: row.secret_hash,
  scopes: JSON.parse(row.scopes) as string[],
  ipAllowlist: JSON.parse(row.ip_allowlist) as string[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  expiresAt: row.expires_at,
});

/**
 * The IdP's Application model: never the secret, never the bank, as the IdP answers. `expires_at` (null when
 * the application does not expire) is sent under both contracts (clients of v0.129.899 ignore it, as the
 * sandbox always did); `guid` only where the contract has it.
 */
export const toApplication = (app: StoredApplication, behaviour: ContractBehaviour): Application => ({
  name: app.name,
  ...(behaviour.applicationGuid ? { guid: app.guid } : {}),
  client_id: app.clientId,
  scopes: app.scopes,
  ip_allowlist: app.ipAllowlist,
  expires_at: app.expiresAt,
  created_at: app.createdAt,
  updated_at: app.updatedAt,
});

// A NULL bank filter matches every bank.
const WHERE = 'kind = @kind AND (@bankGuid IS NULL OR bank_guid = @bankGuid)';

export class ApplicationStore {
  private readonly insertStatement;
  private readonly byClientId;
  private readonly byClientIdOrGuid;
  private readonly page;
  private readonly count;
  private readonly updateStatement;
  private readonly deleteStatement;

  constructor(db: Db) {
    this.insertStatement = db.prepare(
      `INSERT INTO applications (client_id, guid, kind, bank_guid, name, secret_hash, scopes, ip_allowlist, created_at, updated_at, expires_at)
       VALUES (@clientId, @guid, @kind, @bankGuid, @name, @secretHash, @scopes, @ipAllowlist, @createdAt, @updatedAt, @expiresAt)`,
    );
    this.byClientId = db.prepare<[string], Row>('SELECT * FROM applications WHERE client_id = ?');
    this.byClientIdOrGuid = db.prepare<[string, string], Row>(
      'SELECT * FROM applications WHERE client_id = ? OR guid = ? LIMIT 1',
    );
    this.page = db.prepare<{ kind: string; bankGuid: string | null; limit: number; offset: number }, Row>(
      `SELECT * FROM applications WHERE ${WHERE} ORDER BY created_at, id LIMIT @limit OFFSET @offset`,
    );
    this.count = db.prepare<{ kind: string; bankGuid: string | null }, { total: number }>(
      `SELECT COUNT(*) AS total FROM applications WHERE ${WHERE}`,
    );
    this.updateStatement = db.prepare(
      'UPDATE applications SET name = @name, ip_allowlist = @ipAllowlist, updated_at = @updatedAt WHERE client_id = @clientId',
    );
    this.deleteStatement = db.prepare<[string]>('DELETE FROM applications WHERE client_id = ?');
  }

  insert(app: StoredApplication): void {
    this.insertStatement.run({
      ...app,
      scopes: JSON.stringify(app.scopes),
      ipAllowlist: JSON.stringify(app.ipAllowlist),
    });
  }

  get(clientId: string): StoredApplication | undefined {
    const row = this.byClientId.get(clientId);
    return row && fromRow(row);
  }

  /**
   * The application when it exists and matches the filter (a bank sees only its own); `id` is its client id,
   * or, when `orGuid`, its guid too.
   */
  find(id: string, filter: ApplicationFilter, orGuid = false): StoredApplication | undefined {
    const row = orGuid ? this.byClientIdOrGuid.get(id, id) : this.byClientId.get(id);
    const app = row && fromRow(row);
    if (!app || app.kind !== filter.kind) return undefined;
    if (filter.bankGuid !== undefined && app.bankGuid !== filter.bankGuid) return undefined;
    return app;
  }

  /** One page, ordered by creation time then insertion order (stable; the IdP's order is unknown). */
  list(
    filter: ApplicationFilter,
    page: number,
    perPage: number,
  ): { total: number; items: StoredApplication[] } {
    const where = { kind: filter.kind, bankGuid: filter.bankGuid ?? null };
    const rows = this.page.all({ ...where, limit: perPage, offset: page * perPage });
    return { total: this.count.get(where)!.total, items: rows.map(fromRow) };
  }

  update(app: StoredApplication): void {
    this.updateStatement.run({
      clientId: app.clientId,
      name: app.name,
      ipAllowlist: JSON.stringify(app.ipAllowlist),
      updatedAt: app.updatedAt,
    });
  }

  delete(clientId: string): void {
    this.deleteStatement.run(clientId);
  }
}
