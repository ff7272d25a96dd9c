/**
 * Bearer authentication of /api/*, as a route `onRequest` hook so it runs before the body is read. Order
 * (the IdP checks the token before anything else): header (401 authentication_malformed) → signature, expiry, audience, issuer
 * and revocation (401 authentication_failed) → subject type (401 invalid_subject) → scope (403
 * invalid_scopes). Resource lookup (404) and body validation (422) follow in the handlers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientRegistry } from './credentials.js';
import { SandboxError } from './http-errors.js';
import type { SubjectType, TokenClaims, TokenIssuer } from './tokens.js';

const principals = new WeakMap<FastifyRequest, TokenClaims>();

export interface AuthRule {
  scope: string;
  subjectType?: SubjectType;
}

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** RFC 6750 token syntax; the scheme name is case-insensitive (RFC 7235). */
const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i;

/** `portalClientId`: the client id of Portal tokens, which no application has and no deletion revokes. */
export function authenticator(tokens: TokenIssuer, clients: ClientRegistry, portalClientId: string) {
  return (rule: AuthRule): AuthHook =>
    async (request) => {
      const match = BEARER.exec(request.headers.authorization ?? '');
      if (!match)
        throw new SandboxError(401, 'authentication_malformed', 'Authorization header is malformed.');
      const claims = await tokens.verify(match[1]!);
      // The IdP's message for a revoked token is unknown (ours); deleted applications' tokens stop working.
      if (claims.client_id !== portalClientId && !clients.isActive(claims.client_id))
        throw new SandboxError(401, 'authentication_failed', 'Token has been revoked');
      if (rule.subjectType && claims.sub_type !== rule.subjectType) {
        throw new SandboxError(401, 'invalid_subject', `Invalid Subject type. Required: ${rule.subjectType}`);
      }
      if (!claims.scope.includes(rule.scope)) {
        throw new SandboxError(403, 'invalid_scopes', `Invalid scopes. Required: ${rule.scope}`);
      }
      principals.set(request, claims);
    };
}

/** The verified token of a request that passed an auth hook. */
export function principalOf(request: FastifyRequest): TokenClaims {
  const claims = principals.get(request);
  if (!claims) throw new Error(`route ${request.url} has no auth hook`);
  return claims;
}
