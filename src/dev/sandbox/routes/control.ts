/** The sandbox's own endpoints (never faulted, no authentication: a local test tool). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Guid } from '../../../model/idp-schemas.js';
import { parseOrThrow } from '../../../model/validation.js';
import type { SandboxContext } from '../context.js';
import { parseFaultsPatch } from '../faults.js';
import { SandboxError } from '../http-errors.js';
import { newGuid } from '../ids.js';
import { rejectOtherMethods } from './method-not-allowed.js';

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

  app.get('/__sandbox/stats', (_request, reply) =>
    reply.send({ requests: ctx.stats.requests, writes: ctx.stats.writes }),
  );

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

  rejectOtherMethods(app, '/__sandbox/faults', ['GET', 'PUT']);
  rejectOtherMethods(app, '/__sandbox/stats', ['GET']);
  rejectOtherMethods(app, '/__sandbox/customers', ['POST']);
}
