/**
 * POST /api/customer_tokens: bank tokens only (401 invalid_subject), scope
 * customers:write (the IdP's security block; its description also names customers:read, which we do not
 * require). The bank token need not hold the scopes it grants the customer (unknown upstream; our choice).
 */
import type { FastifyInstance } from 'fastify';
import type { PostCustomerToken } from '../../../model/idp-schemas.js';
import { principalOf } from '../auth.js';
import type { SandboxContext } from '../context.js';
import { SandboxError } from '../http-errors.js';
import type { TokenClaims } from '../tokens.js';
import { parseBody } from '../validation.js';
import { rejectOtherMethods } from './method-not-allowed.js';

/**
 * The allowlist a customer token is restricted to (v0.129.1221): the bank API key's when
 * `inherit_ip_allowlist` is true or omitted (server default true), combined with the asked `ip_allowlist`.
 * GUESS (contracts.ts): "combined" is the union, without duplicates, in that order.
 */
function customerAllowlist(
  ctx: SandboxContext,
  bank: TokenClaims,
  body: Pick<Partial<PostCustomerToken>, 'customer_guid' | 'inherit_ip_allowlist' | 'ip_allowlist'>,
): string[] {
  const inherited =
    body.inherit_ip_allowlist === false ? [] : (ctx.applications.get(bank.client_id)?.ipAllowlist ?? []);
  return [...new Set([...inherited, ...(body.ip_allowlist ?? [])])];
}

export function customerTokenRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post(
    '/api/customer_tokens',
    { onRequest: ctx.auth({ scope: 'customers:write', subjectType: 'bank' }) },
    async (request, reply) => {
      const bank = principalOf(request);
      const body = parseBody(ctx.behaviour.requests.PostCustomerToken, request.body);
      // Only the bank's own customers (seeded through POST /__sandbox/customers): any other is unknown to it.
      if (ctx.customers.bankOf(body.customer_guid) !== bank.sub)
        throw new SandboxError(422, 'no_customer', 'Unknown customer');
      const { token } = await ctx.tokens.issue({
        sub: body.customer_guid,
        sub_type: 'customer',
        scope: body.scopes,
        properties: { bank_guid: bank.sub, bank_type: 'sandbox' },
        client_id: bank.client_id,
        ...(ctx.behaviour.customerTokenAllowlist ? { ip_allowlist: customerAllowlist(ctx, bank, body) } : {}),
      });
      return reply.code(201).send({ access_token: token });
    },
  );
  rejectOtherMethods(app, '/api/customer_tokens', ['POST']);
}
