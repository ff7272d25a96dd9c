/**
 * Who is calling: `Authorization: Bearer <token>`, the token an API key (checked against its digest in the
 * ledger at every request, so a revocation holds at once on every replica) or, when configured, a JWT from
 * the organization's identity provider (signature checked against its JWKS with jose; issuer, audience and
 * expiry required). Anything else is 401. Permissions are checked per route (403).
 */
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { ProvisioningLedger } from '../ledger/index.js';
import type { JwtVerification } from './config.js';
import { parseApiKey, secretMatches } from './keys.js';
import { permissionsFromScope, type ApiPermission } from './permissions.js';
import { Problem } from './problems.js';

export interface Principal {
  /** `key:<keyId>` or `jwt:<subject>` (a subject that looks like an email is hashed: logs never hold one). */
  id: string;
  /**
   * Who the caller is, in words: the API key's name, or the JWT's subject. What a task's completion records
   * as who did it (in the operation's result and webhook events; never in a log line, which has `id`).
   */
  name: string;
  permissions: ReadonlySet<ApiPermission>;
}

const unauthorized = (detail: string) =>
  new Problem(
    'unauthorized',
    detail,
    {},
    { 'www-authenticate': 'Bearer realm="provisioner", error="invalid_token"' },
  );

export type Authenticate = (request: FastifyRequest) => Promise<Principal>;

export function authenticator(ledger: ProvisioningLedger, jwt: JwtVerification | undefined): Authenticate {
  const jwks = jwt && createRemoteJWKSet(new URL(jwt.jwksUrl));

  async function byApiKey(keyId: string, secret: string): Promise<Principal> {
    const record = await ledger.apiKey(keyId);
    if (!record || !secretMatches(record, secret)) throw unauthorized('The API key is not valid');
    if (record.revokedAt) throw unauthorized('The API key was revoked');
    return {
      id: `key:${keyId}`,
      name: record.name,
      permissions: new Set(record.permissions as ApiPermission[]),
    };
  }

  async function byJwt(token: string): Promise<Principal> {
    if (!jwt || !jwks) throw unauthorized('The bearer token is not an API key, and JWTs are not configured');
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        requiredClaims: ['sub', 'exp'],
      });
      const subject = payload.sub!;
      const id = subject.includes('@')
        ? `jwt:sha256:${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`
        : `jwt:${subject}`;
      return { id, name: subject, permissions: new Set(permissionsFromScope(payload.scope)) };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthorized('The JWT has expired');
      if (err instanceof joseErrors.JOSEError) throw unauthorized(`The JWT is not valid (${err.code})`);
      throw err; // e.g. the JWKS could not be fetched: not the caller's fault
    }
  }

  return async (request) => {
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    if (!match) throw unauthorized('Send Authorization: Bearer <API key or JWT>');
    const token = match[1]!;
    const apiKey = parseApiKey(token);
    return apiKey ? byApiKey(apiKey.keyId, apiKey.secret) : byJwt(token);
  };
}
