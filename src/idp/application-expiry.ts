/**
 * The expiry every new application is created with. IdPs since v0.129.1229 require `expires_at` on create
 * and say only that it "must be in the future"; older ones ignore it. So the client always sends one (the
 * caller's, else now plus the key lifetime) and refuses, before any request, one the IdP could not accept.
 */
import { durationMs } from '../model/workflow-safe/durations.js';

/** PROVISIONER_KEY_LIFETIME when unset: the expiry of a new API key when none is asked for. */
export const DEFAULT_KEY_LIFETIME = '90d';

/**
 * GUESS: the published contract states no bounds beyond "in the future". We keep a minute of margin (a request
 * in flight, clocks a little apart) and refuse expiries more than a year away, the longest lifetime we
 * expect the IdP to accept; both are ours, kept here only.
 */
export const APPLICATION_EXPIRY_LIMITS = { minimumLead: '1m', maximumLifetime: '365d' } as const;
const minimumLeadMs = durationMs(APPLICATION_EXPIRY_LIMITS.minimumLead);
export const MAXIMUM_KEY_LIFETIME_MS = durationMs(APPLICATION_EXPIRY_LIMITS.maximumLifetime);

/** What is wrong with `expiresAt` as the expiry of an application created at `nowMs`; undefined when nothing. */
export function applicationExpiryProblem(expiresAt: string, nowMs: number): string | undefined {
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return 'must be an ISO date-time';
  const { minimumLead, maximumLifetime } = APPLICATION_EXPIRY_LIMITS;
  if (at < nowMs + minimumLeadMs) return `must be in the future (at least ${minimumLead} from now)`;
  if (at > nowMs + MAXIMUM_KEY_LIFETIME_MS)
    return `must be at most ${maximumLifetime} away (the longest key lifetime the IdP is expected to accept)`;
  return undefined;
}

/** The expiry a new application is created with: `asked`, else `lifetimeMs` from `nowMs`. */
export const applicationExpiry = (asked: string | undefined, nowMs: number, lifetimeMs: number): string =>
  asked ?? new Date(nowMs + lifetimeMs).toISOString();

const DAY_MS = durationMs('1d');

/**
 * The expiry a person is asked to give a new key in the Partner Portal: `asked`, else `lifetimeMs` from
 * `nowMs` rounded up to the start of the next UTC day. GUESS: the Portal is documented only in prose; we
 * assume it takes a date, as the sandbox's Portal page does (the key expires at the start of that day, UTC).
 */
export function portalKeyExpiry(asked: string | undefined, nowMs: number, lifetimeMs: number): string {
  if (asked !== undefined) return new Date(Date.parse(asked)).toISOString();
  return new Date(Math.ceil((nowMs + lifetimeMs) / DAY_MS) * DAY_MS).toISOString();
}

/**
 * Whether a key a person created expires as the task asked. GUESS (see portalKeyExpiry): the Portal takes a
 * date, so the same UTC day counts as a match.
 */
export const sameKeyExpiryDay = (actual: string, asked: string): boolean =>
  Math.floor(Date.parse(actual) / DAY_MS) === Math.floor(Date.parse(asked) / DAY_MS);
