/** The sandbox's own endpoints (never faulted, no authentication: a local test tool). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Email, Guid } from '../../../model/idp-schemas.js';
import { parseOrThrow } from '../../../model/validation.js';
import type { SandboxContext } from '../context.js';
import { parseFaultsPatch } from '../faults.js';
import { SandboxError } from '../http-errors.js';
import { isoNow, newGuid } from '../ids.js';
import { rejectOtherMethods } from './method-not-allowed.js';

/** `POST /__sandbox/users`: `count` users `<emailPrefix><n>@<emailDomain>` for n from `start`. */
const SeedUsers = z
  .object({
    count: z.number().int().min(1).max(1_000_000),
    start: z.number().int().min(0).default(0),
    emailPrefix: z.string().default('seed-'),
    emailDomain: z.string().default('seed.example.com'),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const last = `${seed.emailPrefix}${seed.start + seed.count - 1}@${seed.emailDomain}`;
    const problem = Email.safeParse(last).error?.issues[0]?.message;
    if (problem) ctx.addIssue({ code: 'custom', path: ['emailPrefix'], message: `${last} ${problem}` });
  });

/** A customer of a bank; the guid is generated when not given. */
const SeededCustomer = z.object({ bank_guid: Guid, guid: Guid.optional() });

export function controlRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/__sandbox/faults', (_request, reply) => reply.send(ctx.faults.current()));

  app.put('/__sandbox/faults', (request, reply) => {
    let patch;
    try {
      patch = parseFaultsPatch(request.body ?? {});
    } catch (err) {
      throw new SandboxError(400, 'invalid_parameter', (err as Error).message);
    }
    return reply.send(ctx.faults.update(patch));
  });

  app.get('/__sandbox/stats', (_request, reply) => reply.send(ctx.stats));

  // Fills the organization with users in one transaction: a large organization in seconds, not one HTTP
  // create per user. Not an IdP write: not counted in the stats, never faulted.
  app.post('/__sandbox/users', (request, reply) => {
    const { count, start, emailPrefix, emailDomain } = parseOrThrow(
      SeedUsers,
      request.body ?? {},
      (problems) => new SandboxError(400, 'invalid_parameter', problems),
      'body',
    );
    const now = isoNow();
    const users = Array.from({ length: count }, (_, n) => ({
      guid: newGuid(),
      email: `${emailPrefix}${start + n}@${emailDomain}`,
      allowedScopes: null,
      createdAt: now,
      updatedAt: now,
      disabledAt: null,
    }));
    const inserted = ctx.users.seed(users);
    return reply.send({ inserted, total: ctx.users.list(0, 1).total });
  });

  app.post('/__sandbox/customers', (request, reply) => {
    const customer = parseOrThrow(
      SeededCustomer,
      request.body ?? {},
      (problems) => new SandboxError(400, 'invalid_parameter', problems),
      'body',
    );
    const guid = customer.guid ?? newGuid();
    const outcome = ctx.customers.add(guid, customer.bank_guid);
    if (outcome === 'conflict')
      throw new SandboxError(409, 'customer_exists', `Customer ${guid} belongs to another bank`);
    return reply.code(outcome === 'added' ? 201 : 200).send({ guid, bank_guid: customer.bank_guid });
  });

  // A person signed in to the Partner Portal: the token /api writes accept under every contract (what it
  // holds and says is a GUESS, see contracts.ts). No body; never faulted, as every /__sandbox endpoint.
  app.post('/__sandbox/portal-token', async (_request, reply) => {
    const { lifetimeSeconds, clientId } = ctx.behaviour.portalToken;
    const { token, expiresIn } = await ctx.tokens.issue(
      {
        sub: ctx.organizationGuid,
        sub_type: 'organization',
        scope: [...ctx.behaviour.credentialScopes.organization],
        properties: { type: 'sandbox' },
        client_id: clientId,
        portal_user: ctx.portalUserGuid,
      },
      lifetimeSeconds,
    );
    return reply
      .header('cache-control', 'no-store')
      .send({ access_token: token, token_type: 'Bearer', expires_in: expiresIn });
  });

  rejectOtherMethods(app, '/__sandbox/faults', ['GET', 'PUT']);
  rejectOtherMethods(app, '/__sandbox/portal-token', ['POST']);
  rejectOtherMethods(app, '/__sandbox/stats', ['GET']);
  rejectOtherMethods(app, '/__sandbox/users', ['POST']);
  rejectOtherMethods(app, '/__sandbox/customers', ['POST']);
}
