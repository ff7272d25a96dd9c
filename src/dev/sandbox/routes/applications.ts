/**
 * Bank and organization applications with the IdP's scope quirks: listing needs
 * banks:read / organizations:read, get needs *_applications:read, PATCH *:write, create and delete
 * *:execute.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PatchApplication } from '../../../model/idp-schemas.js';
import type { ApplicationFilter, StoredApplication } from '../application-store.js';
import { toApplication } from '../application-store.js';
import { principalOf } from '../auth.js';
import type { SandboxContext } from '../context.js';
import type { CredentialKind } from '../credential-scopes.js';
import { notFound, unprocessable } from '../http-errors.js';
import { isoNow, newGuid, newSecret, sha256 } from '../ids.js';
import { parseBody, parseListQuery, singleQueryValue } from '../validation.js';
import { rejectOtherMethods } from './method-not-allowed.js';

interface KindRoutes {
  kind: CredentialKind;
  path: string;
  scopes: { list: string; read: string; write: string; execute: string };
}

const KINDS: readonly KindRoutes[] = [
  {
    kind: 'bank',
    path: '/api/bank_applications',
    scopes: {
      list: 'banks:read',
      read: 'bank_applications:read',
      write: 'bank_applications:write',
      execute: 'bank_applications:execute',
    },
  },
  {
    kind: 'organization',
    path: '/api/organization_applications',
    scopes: {
      list: 'organizations:read',
      read: 'organization_applications:read',
      write: 'organization_applications:write',
      execute: 'organization_applications:execute',
    },
  },
];

type ById = { Params: { client_id: string } };

/** A bank token sees only its own bank's applications (presumably so upstream; our choice). */
function visibleTo(request: FastifyRequest, kind: CredentialKind): ApplicationFilter {
  const principal = principalOf(request);
  return principal.sub_type === 'bank' ? { kind, bankGuid: principal.sub } : { kind };
}

/**
 * The bank a new bank application belongs to (our choice): an organization token must name it; a bank token
 * creates for its own bank, and naming another bank is a 422.
 */
function bankOfNewApplication(request: FastifyRequest, requested: string | undefined): string {
  const principal = principalOf(request);
  if (principal.sub_type === 'bank') {
    if (requested !== undefined && requested !== principal.sub) {
      throw unprocessable("bank_guid: must be the token's own bank (or omitted) for bank tokens");
    }
    return principal.sub;
  }
  if (requested === undefined) throw unprocessable('bank_guid: is required for organization tokens');
  return requested;
}

export interface NewApplication {
  kind: CredentialKind;
  bankGuid: string | null;
  name: string;
  ipAllowlist: string[];
  /** ISO date-time, or undefined for none (the contract's request schema decides whether it may be). */
  expiresAt: string | undefined;
}

/** Creates an application (the API's create, and the Portal's); the secret is returned once, never stored. */
export function insertApplication(
  ctx: SandboxContext,
  request: NewApplication,
): { app: StoredApplication; secret: string } {
  const now = isoNow();
  // "must be in the future", as contracts since v0.129.1229 document it (and the sandbox checked before).
  if (request.expiresAt !== undefined && Date.parse(request.expiresAt) <= Date.parse(now))
    throw unprocessable('expires_at: must be in the future');
  const secret = newSecret();
  const app: StoredApplication = {
    clientId: newGuid(),
    guid: newGuid(),
    kind: request.kind,
    bankGuid: request.bankGuid,
    name: request.name,
    secretHash: sha256(secret),
    scopes: [...ctx.behaviour.credentialScopes[request.kind]],
    ipAllowlist: request.ipAllowlist,
    createdAt: now,
    updatedAt: now,
    expiresAt: request.expiresAt ? new Date(request.expiresAt).toISOString() : null,
  };
  ctx.applications.insert(app);
  return { app, secret };
}

function registerKind(app: FastifyInstance, ctx: SandboxContext, { kind, path, scopes }: KindRoutes): void {
  const byId = `${path}/:client_id`;
  const { requests, clientIdMayBeGuid } = ctx.behaviour;
  const show = (stored: StoredApplication) => toApplication(stored, ctx.behaviour);
  const find = (request: FastifyRequest<ById>): StoredApplication => {
    const id = request.params.client_id;
    const found = ctx.applications.find(id, visibleTo(request, kind), clientIdMayBeGuid);
    if (!found) throw notFound('application');
    return found;
  };

  app.get(path, { onRequest: ctx.auth({ scope: scopes.list }) }, (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const { page, perPage } = parseListQuery(query);
    const filter = visibleTo(request, kind);
    const requestedBank = kind === 'bank' ? singleQueryValue(query, 'bank_guid') : undefined;
    if (requestedBank !== undefined && filter.bankGuid !== undefined && requestedBank !== filter.bankGuid) {
      return reply.send({ total: 0, page, per_page: perPage, objects: [] }); // another bank's: none visible
    }
    const { total, items } = ctx.applications.list(
      { kind, bankGuid: filter.bankGuid ?? requestedBank },
      page,
      perPage,
    );
    return reply.send({ total, page, per_page: perPage, objects: items.map(show) });
  });

  app.post(path, { onRequest: ctx.auth({ scope: scopes.execute }) }, (request, reply) => {
    const body =
      kind === 'bank'
        ? parseBody(requests.PostBankApplication, request.body)
        : { ...parseBody(requests.PostOrganizationApplication, request.body), bank_guid: undefined };
    const bankGuid = kind === 'bank' ? bankOfNewApplication(request, body.bank_guid) : null;
    const { app: created, secret } = insertApplication(ctx, {
      kind,
      bankGuid,
      name: body.name,
      ipAllowlist: body.ip_allowlist ?? [],
      expiresAt: body.expires_at,
    });
    ctx.stats.writes++;
    return reply.code(201).send({ ...show(created), secret });
  });

  app.get<ById>(byId, { onRequest: ctx.auth({ scope: scopes.read }) }, (request, reply) =>
    reply.send(show(find(request))),
  );

  app.patch<ById>(byId, { onRequest: ctx.auth({ scope: scopes.write }) }, (request, reply) => {
    const existing = find(request);
    const patch = parseBody(PatchApplication, request.body);
    // `{}` is a 200 no-op that leaves updated_at alone (our choice: the IdP may answer 422).
    if (patch.name === undefined && patch.ip_allowlist === undefined) return reply.send(show(existing));
    const updated: StoredApplication = {
      ...existing,
      name: patch.name ?? existing.name,
      ipAllowlist: patch.ip_allowlist ?? existing.ipAllowlist, // [] clears, omitted keeps, as the IdP documents
      updatedAt: isoNow(),
    };
    ctx.applications.update(updated);
    ctx.stats.writes++;
    return reply.send(show(updated));
  });

  app.delete<ById>(byId, { onRequest: ctx.auth({ scope: scopes.execute }) }, (request, reply) => {
    const existing = find(request);
    ctx.applications.delete(existing.clientId); // its tokens and credentials stop working with it
    ctx.stats.writes++;
    return reply.code(204).send();
  });

  rejectOtherMethods(app, path, ['GET', 'POST']);
  rejectOtherMethods(app, byId, ['GET', 'PATCH', 'DELETE']);
}

export function applicationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  for (const kind of KINDS) registerKind(app, ctx, kind);
}
