/** Small key-value facts the sandbox keeps across restarts (signing key, organization identity). */
import type { Db } from './db.js';

export class MetaStore {
  private readonly select;
  private readonly insertIfMissing;

  constructor(db: Db) {
    this.select = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.insertIfMissing = db.prepare<[string, string]>(
      'INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)',
    );
  }

  get(key: string): string | undefined {
    return this.select.get(key)?.value;
  }

  /** The stored value, or `create()` stored first; a concurrent first start keeps whichever was stored first. */
  getOrCreate(key: string, create: () => string): string {
    const existing = this.get(key);
    if (existing !== undefined) return existing;
    this.insertIfMissing.run(key, create());
    return this.get(key)!;
  }
}
