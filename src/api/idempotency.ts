/**
 * Idempotent starts (the IETF Idempotency-Key header draft, as Stripe applies it): the first request with a
 * key does the work and its accepted answer is kept in the ledger for a day; the same request again (same
 * caller, key, method, path and body) gets that answer, marked `Idempotent-Replayed: true`; the key with
 * another request gets 422. Copies arriving while the first is still being answered wait for its answer,
 * on whichever replica they land. A start that is refused (invalid, bank busy, Temporal down) keeps nothing,
 * so it may be retried with the same key.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ProvisioningLedger } from '../ledger/index.js';
import { fieldErrors, Problem } from './problems.js';
import type { ApiAnswer } from './route.js';

/** How long an answer is remembered. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;
/** A reservation older than this without an answer belonged to a replica that died: it is taken over. */
const STALE_RESERVATION_MS = 60_000;
/** How long a copy waits for the first request's answer before answering 409 (retry later). */
const WAIT_FOR_ANSWER_MS = 30_000;

export const IdempotencyKeyHeader = z
  .string({ error: 'is required on every start' })
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters');

export function idempotencyKeyOf(header: unknown): string {
  const parsed = IdempotencyKeyHeader.safeParse(header);
  if (!parsed.success) {
    throw new Problem('invalid-input', 'Idempotency-Key: is required on every start', {
      errors: fieldErrors('header', parsed.error).map((e) => ({ ...e, field: 'Idempotency-Key' })),
    });
  }
  return parsed.data;
}

/** JSON with object keys sorted: the same body however its fields were ordered. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export function requestDigest(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

export interface IdempotentAnswer extends ApiAnswer {
  replayed: boolean;
}

/**
 * Names one caller's request with one key, for the workflow it starts (its memo, or the request id of
 * disableUsers), so that a start whose answer was never recorded can be found again. Not the key itself.
 */
export function apiRequestToken(principal: string, key: string): string {
  return createHash('sha256').update(`${principal}\n${key}`).digest('hex').slice(0, 40);
}

/**
 * Answers the request with key `key` once: `start` runs for the first copy only, told whether an earlier copy
 * reserved the key and never answered (it may have started the work before its replica died).
 */
export async function answerOnce(
  ledger: ProvisioningLedger,
  principal: string,
  key: string,
  digest: string,
  start: (takenOver: boolean) => Promise<ApiAnswer>,
): Promise<IdempotentAnswer> {
  const deadline = Date.now() + WAIT_FOR_ANSWER_MS;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const now = Date.now();
    const reservation = await ledger.reserveIdempotencyKey(
      principal,
      key,
      digest,
      new Date(now).toISOString(),
      new Date(now - STALE_RESERVATION_MS).toISOString(),
    );
    if (reservation.reserved) {
      let answer: ApiAnswer;
      try {
        answer = await start(reservation.takenOver);
      } catch (err) {
        await ledger.releaseIdempotencyKey(principal, key);
        throw err;
      }
      await ledger.completeIdempotencyKey(principal, key, {
        status: answer.status,
        body: JSON.stringify(answer.body),
        location: answer.location ?? null,
      });
      return { ...answer, replayed: false };
    }
    const { record } = reservation;
    if (record.requestDigest !== digest) {
      throw new Problem(
        'idempotency-key-reused',
        `Idempotency-Key ${key} was already used for a different request; use a new key for a new request`,
      );
    }
    if (record.response) {
      const { status, body, location } = record.response;
      return { status, body: JSON.parse(body) as unknown, location: location ?? undefined, replayed: true };
    }
    if (Date.now() + pause > deadline) {
      throw new Problem(
        'idempotency-key-in-progress',
        `The request with Idempotency-Key ${key} is still being answered`,
        {},
        { 'retry-after': '1' },
      );
    }
    await sleep(pause);
  }
}
