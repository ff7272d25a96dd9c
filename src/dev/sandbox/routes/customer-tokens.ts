/**
 * POST /api/customer_tokens: bank tokens only (401 invalid_subject), scope
 * customers:write (the IdP's security block; its description also names customers:read, which we do not
 * require). The bank token need not hold the scopes it grants the customer (unknown upstream; our choice).
 */
import type { FastifyInstance } from 'fastify';
import { PostCustomerToken } from '../../../model/idp-schemas.js';
import { principalOf } from '../auth.js';
import type { SandboxContext } from '../context.js';
import { SandboxError } from '../http-errors.js';
import { parseBody } from '../validation.js';
import { rejectOtherMethods } from './method-not-allowed.js';

export function customerTokenRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post(
    '/api/customer_tokens',
    { onRequest: ctx.auth({ scope: 'customers:write', subjectType: 'bank' }) },
    async (request, reply) => {
      const bank = principalOf(request);
      const body = parseBody(PostCustomerToken, request.body);
      // Only the bank's own customers (seeded through POST /__sandbox/customers): any other is unknown to it.
      if (ctx.customers.bankOf(body.customer_guid) !== bank.sub)
        throw new SandboxError(422, 'no_customer', 'Unknown customer');
      const { token } = await ctx.tokens.issue({
        sub: body.customer_guid,
        sub_type: 'customer',
        scope: body.scopes,
        properties: { bank_guid: bank.sub, bank_type: 'sandbox' },
        client_id: bank.client_id,
      });
      return reply.code(201).send({ access_token: token });
    },
  );
  rejectOtherMethods(app, '/api/customer_tokens', ['POST']);
}
