/**
 * Users of the organization in SQLite. Disabling keeps the record (as the IdP does) and sets `disabled_at`.
 * Emails are unique case-insensitively (inferred from the IdP's behaviour).
 */
import type { User } from '../../model/idp-schemas.js';
import type { Db } from './db.js';

export interface StoredUser {
  guid: string;
  email: string;
  allowedScopes: string[] | null;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

interface Row {
  guid: string;
  email: string;
  allowed_scopes: string | null;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

const fromRow = (row: Row): StoredUser => ({
  guid: row.guid,
  email: row.email,
  allowedScopes: row.allowed_scopes === null ? null : (JSON.parse(row.allowed_scopes) as string[]),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  disabledAt: row.disabled_at,
});

/**
 * The IdP's User model. `username` is the email (our choice). `disabled_at` is our addition (null while active):
 * the IdP's User has no field that tells a disabled user apart, and clients tolerate extra fields.
 * `invite_url` is absent here: it appears only in the create response.
 */
export const toUser = (user: StoredUser): User & { disabled_at: string | null } => ({
  guid: user.guid,
  username: user.email,
  email: user.email,
  allowed_scopes: user.allowedScopes,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
  disabled_at: user.disabledAt,
});

export const emailKey = (email: string): string => email.toLowerCase();

export class UserStore {
  private readonly insertStatement;
  private readonly byGuid;
  private readonly byEmailKey;
  private readonly page;
  private readonly count;
  private readonly updateStatement;
  private readonly seedMany;

  constructor(db: Db) {
    this.insertStatement = db.prepare(
      `INSERT INTO users (guid, email, email_key, allowed_scopes, created_at, updated_at, disabled_at)
       VALUES (@guid, @email, @emailKey, @allowedScopes, @createdAt, @updatedAt, @disabledAt)
       ON CONFLICT (email_key) DO NOTHING`,
    );
    this.byGuid = db.prepare<[string], Row>('SELECT * FROM users WHERE guid = ?');
    this.byEmailKey = db.prepare<[string], Row>('SELECT * FROM users WHERE email_key = ?');
    // Every user, or only those whose guid is in a JSON array: two statements, so the unfiltered one walks
    // the listing index instead of sorting the whole table for each page of a large organization.
    const filtered = 'WHERE guid IN (SELECT value FROM json_each(@guids))';
    const order = 'ORDER BY created_at, id LIMIT @limit OFFSET @offset';
    this.page = {
      all: db.prepare<{ limit: number; offset: number }, Row>(`SELECT * FROM users ${order}`),
      some: db.prepare<{ guids: string; limit: number; offset: number }, Row>(
        `SELECT * FROM users ${filtered} ${order}`,
      ),
    };
    this.count = {
      all: db.prepare<[], { total: number }>('SELECT COUNT(*) AS total FROM users'),
      some: db.prepare<{ guids: string }, { total: number }>(
        `SELECT COUNT(*) AS total FROM users ${filtered}`,
      ),
    };
    this.seedMany = db.transaction((users: readonly StoredUser[]) =>
      users.reduce((inserted, user) => inserted + (this.insert(user) ? 1 : 0), 0),
    );
    this.updateStatement = db.prepare(
      'UPDATE users SET allowed_scopes = @allowedScopes, updated_at = @updatedAt, disabled_at = @disabledAt WHERE guid = @guid',
    );
  }

  /** Inserts the user unless the email is taken; false when it is. */
  insert(user: StoredUser): boolean {
    const result = this.insertStatement.run({
      ...user,
      emailKey: emailKey(user.email),
      allowedScopes: user.allowedScopes && JSON.stringify(user.allowedScopes),
    });
    return result.changes === 1;
  }

  emailTaken(email: string): boolean {
    return this.byEmailKey.get(emailKey(email)) !== undefined;
  }

  get(guid: string): StoredUser | undefined {
    const row = this.byGuid.get(guid);
    return row && fromRow(row);
  }

  /** One page, ordered by creation time then insertion order (our choice); `guids` restricts to those users. */
  list(page: number, perPage: number, guids?: readonly string[]): { total: number; items: StoredUser[] } {
    const window = { limit: perPage, offset: page * perPage };
    if (guids === undefined) {
      return { total: this.count.all.get()!.total, items: this.page.all.all(window).map(fromRow) };
    }
    const filter = { guids: JSON.stringify(guids) };
    return {
      total: this.count.some.get(filter)!.total,
      items: this.page.some.all({ ...filter, ...window }).map(fromRow),
    };
  }

  /** Inserts many users in one transaction (emails already taken are skipped); how many were inserted. */
  seed(users: readonly StoredUser[]): number {
    return this.seedMany(users);
  }

  update(user: StoredUser): void {
    this.updateStatement.run({
      guid: user.guid,
      allowedScopes: user.allowedScopes && JSON.stringify(user.allowedScopes),
      updatedAt: user.updatedAt,
      disabledAt: user.disabledAt,
    });
  }
}
