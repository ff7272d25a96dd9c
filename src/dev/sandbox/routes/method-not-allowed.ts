/** Answers 405 (with `Allow`) for the methods a known path does not support, instead of a bare 404. */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { errorResponse } from '../http-errors.js';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export function rejectOtherMethods(app: FastifyInstance, url: string, allowed: readonly HTTPMethods[]): void {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: METHODS.filter((method) => !allowed.includes(method)),
    url,
    handler: (request, reply) =>
      reply
        .code(405)
        .header('allow', allow)
        .send(
          errorResponse(
            405,
            'method_not_allowed',
            `Method ${request.method} is not allowed here; use ${allow}`,
          ),
        ),
  });
}
