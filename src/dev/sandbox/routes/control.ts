/** The sandbox's own endpoints (never faulted, no authentication: a local test tool). */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.js';
import { parseFaultsPatch } from '../faults.js';
import { SandboxError } from '../http-errors.js';
import { rejectOtherMethods } from './method-not-allowed.js';

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

  rejectOtherMethods(app, '/__sandbox/faults', ['GET', 'PUT']);
  rejectOtherMethods(app, '/__sandbox/stats', ['GET']);
}
