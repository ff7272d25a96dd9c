/**
 * Bank and organization applications with the IdP's scope quirks: listing needs
 * banks:read / organizations:read, get needs *_applications:read, PATCH *:write, create and delete
 * *:execute.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  PatchApplication,
  PostBankApplication,
  PostOrganizationApplication,
} from '../../../model/idp-schemas.js';
import type { ApplicationFilter, StoredApplication } from '../application-store.js';
import { toApplication } from '../application-store.js';
import { principalOf } from '../auth.js';
import type { SandboxContext } from '../context.js';
import { CREDENTIAL_SCOPES, type CredentialKind } from '../credential-scopes.js';
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

function registerKind(app: FastifyInstance, ctx: SandboxContext, { kind, path, scopes }: KindRoutes): void {
  const byId = `${path}/:client_id`;
  const find = (request: FastifyRequest<ById>): StoredApplication => {
    const found = ctx.applications.find(request.params.client_id, visibleTo(request, kind));
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
    return reply.send({ total, page, per_page: perPage, objects: items.map(toApplication) });
  });

  app.post(path, { onRequest: ctx.auth({ scope: scopes.execute }) }, (request, reply) => {
    const body =
      kind === 'bank'
        ? parseBody(PostBankApplication, request.body)
        : { ...parseBody(PostOrganizationApplication, request.body), bank_guid: undefined };
    const bankGuid = kind === 'bank' ? bankOfNewApplication(request, body.bank_guid) : null;
    const now = isoNow();
    // As IdPs newer than v0.129.899 document it ("must be in the future"); v0.129.899 has no expiry.
    if (body.expires_at !== undefined && Date.parse(body.expires_at) <= Date.parse(now))
      throw unprocessable('expires_at: must be in the future');
    const secret = newSecret();
    const app: StoredApplication = {
      clientId: newGuid(),
      kind,
      bankGuid,
      name: body.name,
      secretHash: sha256(secret),
      scopes: [...CREDENTIAL_SCOPES[kind]],
      ipAllowlist: body.ip_allowlist ?? [],
      createdAt: now,
      updatedAt: now,
      expiresAt: body.expires_at ? new Date(body.expires_at).toISOString() : null,
    };
    ctx.applications.insert(app);
    ctx.stats.writes++;
    return reply.code(201).send({ ...toApplication(app), secret });
  });

  app.get<ById>(byId, { onRequest: ctx.auth({ scope: scopes.read }) }, (request, reply) =>
    reply.send(toApplication(find(request))),
  );

  app.patch<ById>(byId, { onRequest: ctx.auth({ scope: scopes.write }) }, (request, reply) => {
    const existing = find(request);
    const patch = parseBody(PatchApplication, request.body);
    // `{}` is a 200 no-op that leaves updated_at alone (our choice: the IdP may answer 422).
    if (patch.name === undefined && patch.ip_allowlist === undefined)
      return reply.send(toApplication(existing));
    const updated: StoredApplication = {
      ...existing,
      name: patch.name ?? existing.name,
      ipAllowlist: patch.ip_allowlist ?? existing.ipAllowlist, // [] clears, omitted keeps, as the IdP documents
      updatedAt: isoNow(),
    };
    ctx.applications.update(updated);
    ctx.stats.writes++;
    return reply.send(toApplication(updated));
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
