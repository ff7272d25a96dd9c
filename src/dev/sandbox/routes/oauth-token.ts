/**
 * POST /oauth/token, the client-credentials grant. Accepts JSON (what every Cybrid example
 * sends) and, leniently, form-encoded bodies and HTTP Basic client authentication. Errors use the OAuth2
 * shape plus the ErrorResponse fields (inferred: the IdP does not document it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import type { Client } from '../credentials.js';
import { OAuthTokenError } from '../http-errors.js';
import { rejectOtherMethods } from './method-not-allowed.js';
import { parseOrThrow } from '../../../model/validation.js';

/** Lenient on purpose: every field optional, so each problem gets its own OAuth2 error code. */
const TokenForm = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});

const decode = (part: string) => {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
};

/** Client id and secret from `Authorization: Basic` (RFC 6749 §2.3.1), if present. */
function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/**
 * The scopes to grant. Omitted or blank `scope` → everything the credential may hold (inferred). Scopes the
 * contract withholds from API keys, and those in the `dropScopes` fault, are removed silently before
 * anything else, so they never cause invalid_scope. A grant the fault empties stays empty (our choice); one
 * asked only for withheld scopes is an invalid_scope (the contract's GUESS, see contracts.ts).
 */
function grantedScopes(client: Client, requested: string | undefined, ctx: SandboxContext): string[] {
  const holdable = ctx.behaviour.credentialScopes[client.kind];
  const withheld = ctx.behaviour.apiKeyWithheldScopes;
  const asked = [...new Set((requested ?? '').split(/\s+/).filter(Boolean))];
  const notDropped = (asked.length > 0 ? asked : holdable).filter(
    (scope) => !ctx.faults.current().dropScopes.includes(scope),
  );
  const wanted = notDropped.filter((scope) => !withheld.includes(scope));
  if (notDropped.length > 0 && wanted.length === 0) {
    throw new OAuthTokenError(
      400,
      'invalid_scope',
      `The requested scope is not available to API keys (a person makes these changes in the Partner Portal): ${notDropped.join(' ')}`,
    );
  }
  const refused = wanted.filter((scope) => !holdable.includes(scope));
  if (refused.length > 0) {
    throw new OAuthTokenError(
      400,
      'invalid_scope',
      `The requested scope is invalid, unknown, or not available to ${client.kind} credentials: ${refused.join(' ')}`,
    );
  }
  return wanted;
}

export function oauthTokenRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/oauth/token', async (request, reply) => {
    const form = parseOrThrow(
      TokenForm,
      request.body ?? {},
      () => new OAuthTokenError(400, 'invalid_request', 'The request body must be an object of strings'),
    );
    const { grant_type, scope } = form;
    if (grant_type === undefined) throw new OAuthTokenError(400, 'invalid_request', 'grant_type is required');
    if (grant_type !== 'client_credentials') {
      throw new OAuthTokenError(
        400,
        'unsupported_grant_type',
        'Only grant_type client_credentials is supported',
      );
    }
    const basic = basicCredentials(request);
    const clientId = form.client_id ?? basic?.id;
    const clientSecret = form.client_secret ?? basic?.secret;
    const client =
      clientId && clientSecret !== undefined ? ctx.clients.authenticate(clientId, clientSecret) : undefined;
    if (!client) throw new OAuthTokenError(401, 'invalid_client', 'Client authentication failed');

    const scopes = grantedScopes(client, scope, ctx);
    const { token, issuedAt, expiresIn } = await ctx.tokens.issue({
      sub: client.subject,
      sub_type: client.kind,
      scope: scopes,
      // Bank tokens carry {type: "sandbox"}; the organization's is unknown, so we use the same.
      properties: { type: 'sandbox' },
      client_id: client.clientId,
    });
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({
        access_token: token,
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope: scopes.join(' '),
        created_at: issuedAt,
      });
  });
  rejectOtherMethods(app, '/oauth/token', ['POST']);
}
