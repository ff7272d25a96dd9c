/**
 * The banks' customers. The IdP knows them from the rest of the platform; the sandbox is told of them through
 * POST /__sandbox/customers, so that a customer token is issued only for a customer of the asking bank.
 */
import type { Db } from './db.js';
import { isoNow } from './ids.js';

export class CustomerStore {
  private readonly insertIfMissing;
  private readonly bankOfStatement;

  constructor(db: Db) {
    this.insertIfMissing = db.prepare<[string, string, string]>(
      'INSERT OR IGNORE INTO customers (guid, bank_guid, created_at) VALUES (?, ?, ?)',
    );
    this.bankOfStatement = db.prepare<[string], { bank_guid: string }>(
      'SELECT bank_guid FROM customers WHERE guid = ?',
    );
  }

  /** Records the customer of a bank; `conflict` when the guid is already another bank's customer. */
  add(guid: string, bankGuid: string): 'added' | 'known' | 'conflict' {
    if (this.insertIfMissing.run(guid, bankGuid, isoNow()).changes === 1) return 'added';
    return this.bankOf(guid) === bankGuid ? 'known' : 'conflict';
  }

  bankOf(guid: string): string | undefined {
    return this.bankOfStatement.get(guid)?.bank_guid;
  }
}
