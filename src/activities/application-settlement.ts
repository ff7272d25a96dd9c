/**
 * Which of a bank's applications an operation uses, and which it deletes: a pure decision over what the IdP
 * lists and what the secret store holds, so every copy of an activity (a timed-out attempt still running
 * beside its retry, on any worker) reaches the same answer. The activities around it only do the I/O.
 *
 * The rules:
 * - The store's current credential wins whenever its application exists. Otherwise the oldest usable
 *   application whose credential is stored wins (oldest, then lowest client id), unless an older application
 *   of this operation is still being created: its secret may yet be stored, and then it wins, so wait.
 * - Only this operation's own applications (their names carry its marker) are ever deleted: twins, whose
 *   credential is stored but lost to the winner (with that version revoked), and orphans, whose secret was
 *   never stored and which are older than any create still in flight could be.
 * - An application that is neither stored nor this operation's own is someone else's: never deleted.
 *   Onboarding refuses to create a second credential beside one; rotation leaves it alone.
 */
import type { Application } from '../model/idp-schemas.js';
import type { SecretStage, SecretVersionId } from '../secrets/index.js';

/** A readable (not revoked) version of the bank's credential, and the application it belongs to. */
export interface StoredCredential {
  version: SecretVersionId;
  stage: SecretStage;
  clientId: string;
}

export interface ApplicationsSeen {
  /** The bank's applications, as the IdP lists them. */
  applications: readonly Application[];
  /** Read after listing versions and before listing applications. */
  stored: readonly StoredCredential[];
  /** The name this operation creates applications under (it carries the operation's marker). */
  ownName: string;
  nowMs: number;
  /** How long a create may be in flight; an own application without a stored secret older than this is an orphan. */
  orphanGraceMs: number;
}

export interface Removal {
  application: Application;
  reason: 'twin' | 'orphan';
  /** The twin's stored version, revoked once the application is deleted. */
  revokeVersion?: SecretVersionId;
}

export type Outcome =
  | { kind: 'use'; application: Application; credential: StoredCredential; ownApplication: boolean }
  | { kind: 'create' }
  | { kind: 'wait'; application: Application; retryAfterMs: number }
  | { kind: 'refuse'; unknown: Application[] };

export interface Settlement {
  /** Deleted before the outcome is acted on. */
  remove: Removal[];
  outcome: Outcome;
}

/** Onboarding: any stored credential of the bank may be reused; an unknown application stops it. */
export function settleOnboarding(seen: ApplicationsSeen): Settlement {
  return settle(seen, { reuse: 'any-stored', unknown: 'refuse' });
}

/** Rotation: only this operation's own new application may be used; others are not its business. */
export function settleRotation(seen: ApplicationsSeen): Settlement {
  return settle(seen, { reuse: 'own', unknown: 'ignore' });
}

interface Policy {
  reuse: 'any-stored' | 'own';
  unknown: 'refuse' | 'ignore';
}

const oldestFirst = (a: Application, b: Application) =>
  a.created_at.localeCompare(b.created_at) || a.client_id.localeCompare(b.client_id);

function settle(seen: ApplicationsSeen, policy: Policy): Settlement {
  const storedFor = new Map(seen.stored.map((s) => [s.clientId, s]));
  const applications = [...seen.applications].sort(oldestFirst);
  const isOwn = (app: Application) => app.name === seen.ownName;
  const ageMs = (app: Application) => seen.nowMs - Date.parse(app.created_at);
  const inFlight = (app: Application) =>
    isOwn(app) && !storedFor.has(app.client_id) && ageMs(app) < seen.orphanGraceMs;
  const usable = (app: Application) =>
    storedFor.has(app.client_id) && (policy.reuse === 'any-stored' || isOwn(app));

  let winner = applications.find((app) => usable(app) && storedFor.get(app.client_id)!.stage === 'current');
  let blocking: Application | undefined;
  if (!winner) {
    for (const app of applications) {
      if (usable(app)) {
        winner = app;
        break;
      }
      if (inFlight(app)) {
        blocking = app;
        break;
      }
    }
  }

  const remove: Removal[] = [];
  for (const app of applications) {
    if (!isOwn(app) || app === winner) continue;
    const stored = storedFor.get(app.client_id);
    if (stored && winner) remove.push({ application: app, reason: 'twin', revokeVersion: stored.version });
    else if (!stored && ageMs(app) >= seen.orphanGraceMs) remove.push({ application: app, reason: 'orphan' });
    // else: still in flight (its own attempt settles it), or stored while the winner is not known yet.
  }

  if (winner) {
    const credential = storedFor.get(winner.client_id)!;
    return {
      remove,
      outcome: { kind: 'use', application: winner, credential, ownApplication: isOwn(winner) },
    };
  }
  if (blocking) {
    const retryAfterMs = Math.max(seen.orphanGraceMs - ageMs(blocking), 1_000);
    return { remove, outcome: { kind: 'wait', application: blocking, retryAfterMs } };
  }
  const unknown = applications.filter((app) => !isOwn(app) && !storedFor.has(app.client_id));
  if (policy.unknown === 'refuse' && unknown.length > 0)
    return { remove, outcome: { kind: 'refuse', unknown } };
  return { remove, outcome: { kind: 'create' } };
}
