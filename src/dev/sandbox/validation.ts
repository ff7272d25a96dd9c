/**
 * Request validation with the shared zod request schemas (src/model/idp-schemas.ts): bodies → 422
 * `invalid_parameter`, query parameters → 400 `invalid_parameter` (the IdP's status for out-of-range
 * query parameters is unknown; 400 is the platform's style). Unknown body fields are ignored (zod strips
 * them; the IdP is silent). Messages name the field and the limit, never echo values.
 */
import type { z } from 'zod';
import { ListQuery } from '../../model/idp-schemas.js';
import { parseOrThrow } from '../../model/validation.js';
import { badQuery, unprocessable } from './http-errors.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseOrThrow(schema, body, unprocessable, 'body');
}

/** Default page size: the last one the IdP's API documented. */
export const DEFAULT_PER_PAGE = 10;

const LIMITS = { page: 'an integer of at least 0', per_page: 'an integer from 1 to 100' } as const;

function numericParam(name: keyof typeof LIMITS, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[+-]?\d+(\.\d+)?$/.test(raw))
    throw badQuery(`${name} must be ${LIMITS[name]}`);
  return Number(raw);
}

export function parseListQuery(query: Record<string, unknown>): { page: number; perPage: number } {
  const candidate = {
    page: numericParam('page', query.page),
    per_page: numericParam('per_page', query.per_page),
  };
  const parsed = ListQuery.safeParse(candidate);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0] === 'page' ? 'page' : 'per_page';
    throw badQuery(`${field} must be ${LIMITS[field]}`);
  }
  return { page: parsed.data.page ?? 0, perPage: parsed.data.per_page ?? DEFAULT_PER_PAGE };
}

/** A query parameter that may appear once; repeated → 400. */
export function singleQueryValue(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw badQuery(`${name} must be given at most once`);
}
