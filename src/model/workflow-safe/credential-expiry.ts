/**
 * When a bank credential expires, and the expiry its replacement gets. The IdP documented by the reference
 * (v0.129.899) has no expiry: `expires_at` is sent on create and ignored; newer IdPs require it on create,
 * return it on every application and cannot change it afterwards (PATCH has no such field). So the expiry
 * is known from the IdP when it says, and otherwise from the credential document written when the
 * application was created (`expiresAt`).
 *
 * A renewed credential keeps the lifetime of the one it replaces (its expiry minus its creation), counted
 * from the renewal: a bank on one-year credentials stays on one-year credentials.
 */

/** The expiry of a credential: the IdP's when it tells one, else the one recorded at creation. */
export function credentialExpiry(
  fromIdp: string | null | undefined,
  recorded: string | undefined,
): string | undefined {
  return fromIdp ?? recorded;
}

/**
 * The expiry of a credential that replaces one created at `createdAt` and expiring at `expiresAt`: the same
 * lifetime from `nowMs`, and at least `minimumLifetimeMs`; undefined when the old one does not expire.
 */
export function renewedExpiry(
  replaced: { createdAt: string; expiresAt?: string },
  nowMs: number,
  minimumLifetimeMs = 0,
): string | undefined {
  if (replaced.expiresAt === undefined) return undefined;
  const lifetimeMs = Date.parse(replaced.expiresAt) - Date.parse(replaced.createdAt);
  return new Date(nowMs + Math.max(lifetimeMs, minimumLifetimeMs)).toISOString();
}
