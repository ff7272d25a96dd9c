/**
 * Idempotency records of the HTTP API, in the ledger so that every API replica behind a load balancer
 * agrees. A request reserves its (caller, key) first; the one that reserves it does the work and records the
 * answer, the others with the same request wait for that answer. The database's primary key decides who
 * reserves: an insert that conflicts did not.
 */
import type { Kysely } from 'kysely';
import type { LedgerTables } from './schema.js';

export interface StoredResponse {
  status: number;
  body: string;
  location: string | null;
}

export interface IdempotencyRecord {
  requestDigest: string;
  reservedAt: string;
  /** Undefined while the first request is still being answered. */
  response?: StoredResponse;
}

/** `takenOver`: the key was reserved before by a request that never answered (its replica may have died). */
export type Reservation =
  { reserved: true; takenOver: boolean } | { reserved: false; record: IdempotencyRecord };

export interface IdempotencyLedger {
  /**
   * Reserves the key for a request with this digest, unless it is taken: then the record holding it. A
   * reservation made before `staleBefore` that never got an answer (its replica died) is taken over.
   */
  reserveIdempotencyKey(
    principal: string,
    key: string,
    requestDigest: string,
    now: string,
    staleBefore: string,
  ): Promise<Reservation>;
  /** Records the answer of the reserved request. */
  completeIdempotencyKey(principal: string, key: string, response: StoredResponse): Promise<void>;
  /** Gives up an unanswered reservation, so that the same request may be tried again. */
  releaseIdempotencyKey(principal: string, key: string): Promise<void>;
  /** Forgets every record reserved before `before`; returns how many. */
  pruneIdempotencyKeys(before: string): Promise<number>;
}

export function idempotencyLedger(db: Kysely<LedgerTables>): IdempotencyLedger {
  const record = async (principal: string, key: string): Promise<IdempotencyRecord | undefined> => {
    const row = await db
      .selectFrom('api_idempotency')
      .selectAll()
      .where('principal', '=', principal)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      requestDigest: row.request_digest,
      reservedAt: row.reserved_at,
      response:
        row.response_status === null
          ? undefined
          : { status: row.response_status, body: row.response_body ?? '', location: row.response_location },
    };
  };

  const reserve: IdempotencyLedger['reserveIdempotencyKey'] = async (
    principal,
    key,
    requestDigest,
    now,
    staleBefore,
  ) => {
    const inserted = await db
      .insertInto('api_idempotency')
      .values({
        principal,
        idempotency_key: key,
        request_digest: requestDigest,
        reserved_at: now,
        response_status: null,
        response_body: null,
        response_location: null,
      })
      .onConflict((conflict) => conflict.columns(['principal', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { reserved: true, takenOver: false };
    const existing = await record(principal, key);
    // Released between the insert and the read: try once more.
    if (!existing) return reserve(principal, key, requestDigest, now, staleBefore);
    if (existing.response || existing.requestDigest !== requestDigest || existing.reservedAt >= staleBefore) {
      return { reserved: false, record: existing };
    }
    // Compare and set: of several replicas taking over the same stale reservation, one wins.
    const taken = await db
      .updateTable('api_idempotency')
      .set({ reserved_at: now })
      .where('principal', '=', principal)
      .where('idempotency_key', '=', key)
      .where('reserved_at', '=', existing.reservedAt)
      .where('response_status', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return { reserved: true, takenOver: true };
    return { reserved: false, record: (await record(principal, key)) ?? existing };
  };

  return {
    reserveIdempotencyKey: reserve,
    async completeIdempotencyKey(principal, key, response) {
      await db
        .updateTable('api_idempotency')
        .set({
          response_status: response.status,
          response_body: response.body,
          response_location: response.location,
        })
        .where('principal', '=', principal)
        .where('idempotency_key', '=', key)
        .execute();
    },
    async releaseIdempotencyKey(principal, key) {
      await db
        .deleteFrom('api_idempotency')
        .where('principal', '=', principal)
        .where('idempotency_key', '=', key)
        .where('response_status', 'is', null)
        .execute();
    },
    async pruneIdempotencyKeys(before) {
      const deleted = await db
        .deleteFrom('api_idempotency')
        .where('reserved_at', '<', before)
        .executeTakeFirst();
      return Number(deleted.numDeletedRows);
    },
  };
}
