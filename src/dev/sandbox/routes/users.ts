/** Organization users: create with an invite URL, list, get, replace scopes, disable. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.js';
import { notFound, SandboxError } from '../http-errors.js';
import { isoNow, newGuid, newSecret } from '../ids.js';
import { emailKey, toUser, type StoredUser } from '../user-store.js';
import { parseBody, parseListQuery, singleQueryValue } from '../validation.js';
import { rejectOtherMethods } from './method-not-allowed.js';

type ById = { Params: { user_guid: string } };

/** Invitations look like the real sandbox host's (our guess); nothing serves them locally. */
const inviteUrl = () => `https://id.sandbox.cybrid.app/invite/${newSecret()}`;

/** `guid=a,b,c` restricts the list; empty entries are ignored and an empty list means no filter. */
function guidFilter(query: Record<string, unknown>): string[] | undefined {
  const guids = (singleQueryValue(query, 'guid') ?? '')
    .split(',')
    .map((guid) => guid.trim())
    .filter(Boolean);
  return guids.length > 0 ? guids : undefined;
}

/** Creates a user (the API's create, and the Portal's invitation); 409 when the email is taken. */
export function insertUser(ctx: SandboxContext, email: string, allowedScopes: string[] | null): StoredUser {
  const now = isoNow();
  const user: StoredUser = {
    guid: newGuid(),
    email,
    allowedScopes,
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
  };
  // The 409's message_code is unknown; `user_exists` is our choice. Emails compare case-insensitively.
  const taken = ctx.faults.current().takenEmails.some((other) => emailKey(other) === emailKey(email));
  if (taken || !ctx.users.insert(user)) throw new SandboxError(409, 'user_exists', 'User already exists');
  return user;
}

/** Disables a user; false when it was disabled already (disabling twice changes nothing, as the IdP). */
export function disableUser(ctx: SandboxContext, user: StoredUser): boolean {
  if (user.disabledAt !== null) return false;
  const now = isoNow();
  ctx.users.update({ ...user, disabledAt: now, updatedAt: now });
  return true;
}

export function userRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const find = (request: FastifyRequest<ById>): StoredUser => {
    const found = ctx.users.get(request.params.user_guid);
    if (!found) throw notFound('user');
    return found;
  };

  app.get('/api/users', { onRequest: ctx.auth({ scope: 'users:read' }) }, (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const { page, perPage } = parseListQuery(query);
    const { total, items } = ctx.users.list(page, perPage, guidFilter(query));
    return reply.send({ total, page, per_page: perPage, objects: items.map(toUser) });
  });

  app.post('/api/users', { onRequest: ctx.auth({ scope: 'users:execute' }) }, (request, reply) => {
    const body = parseBody(ctx.behaviour.requests.PostUser, request.body);
    const user = insertUser(ctx, body.email, body.allowed_scopes ?? null);
    ctx.stats.writes++;
    return reply.code(201).send({ ...toUser(user), invite_url: inviteUrl() });
  });

  app.get<ById>('/api/users/:user_guid', { onRequest: ctx.auth({ scope: 'users:read' }) }, (request, reply) =>
    reply.send(toUser(find(request))),
  );

  app.patch<ById>(
    '/api/users/:user_guid',
    { onRequest: ctx.auth({ scope: 'users:write' }) },
    (request, reply) => {
      const existing = find(request);
      // The IdP's answer for a disabled user is unknown; ours: a disabled user cannot be changed (422).
      if (existing.disabledAt !== null) throw new SandboxError(422, 'user_disabled', 'user is disabled');
      const patch = parseBody(ctx.behaviour.requests.PatchUser, request.body);
      const updated: StoredUser = { ...existing, allowedScopes: patch.allowed_scopes, updatedAt: isoNow() };
      ctx.users.update(updated);
      ctx.stats.writes++;
      return reply.send(toUser(updated));
    },
  );

  app.delete<ById>(
    '/api/users/:user_guid',
    { onRequest: ctx.auth({ scope: 'users:execute' }) },
    (request, reply) => {
      if (disableUser(ctx, find(request))) ctx.stats.writes++;
      return reply.code(204).send();
    },
  );

  rejectOtherMethods(app, '/api/users', ['GET', 'POST']);
  rejectOtherMethods(app, '/api/users/:user_guid', ['GET', 'PATCH', 'DELETE']);
}
