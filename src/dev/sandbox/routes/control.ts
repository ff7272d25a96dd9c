/** The sandbox's own endpoints (never faulted, no authentication: a local test tool). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Email } from '../../../model/idp-schemas.js';
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
    const seed = SeedUsers.safeParse(request.body ?? {});
    if (!seed.success) {
      const problems = seed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      throw new SandboxError(400, 'invalid_parameter', problems.join('; '));
    }
    const { count, start, emailPrefix, emailDomain } = seed.data;
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

  rejectOtherMethods(app, '/__sandbox/faults', ['GET', 'PUT']);
  rejectOtherMethods(app, '/__sandbox/stats', ['GET']);
  rejectOtherMethods(app, '/__sandbox/users', ['POST']);
}
