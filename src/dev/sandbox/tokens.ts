/**
 * Access tokens: RS512 JWTs signed with a key pair generated at first start and kept in the database, so
 * tokens survive a restart. Verification answers with the IdP's 401 messages.
 */
import {
  generateKeyPairSync,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { SandboxError } from './http-errors.js';
import { newGuid } from './ids.js';
import type { MetaStore } from './meta.js';

/** Token lifetime: 1800 s in every token the IdP was seen to issue. */
export const TOKEN_LIFETIME_SECONDS = 1800;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const StoredKey = z.object({ kid: z.string(), privateKeyPem: z.string() });

export function loadOrCreateSigningKey(meta: MetaStore): SigningKey {
  const stored = meta.getOrCreate('signing_key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return JSON.stringify({ kid: newGuid(), privateKeyPem });
  });
  const { kid, privateKeyPem } = StoredKey.parse(JSON.parse(stored));
  const privateKey = createPrivateKey(privateKeyPem);
  return { kid, privateKey, publicKey: createPublicKey(privateKey) };
}

export const SubjectType = z.enum(['organization', 'bank', 'customer']);
export type SubjectType = z.infer<typeof SubjectType>;

/**
 * What a token says. `client_id` is our addition to the IdP's claims: it names the application that
 * obtained the token, so tokens of a deleted application can be refused. `ip_allowlist` (customer tokens,
 * v0.129.1425) and `portal_user` (Portal tokens) are our guesses, see contracts.ts.
 */
export const TokenClaims = z.object({
  sub: z.string(),
  sub_type: SubjectType,
  scope: z.array(z.string()),
  properties: z.record(z.string(), z.string()),
  client_id: z.string(),
  ip_allowlist: z.array(z.string()).optional(),
  portal_user: z.string().optional(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

export interface IssuedToken {
  token: string;
  issuedAt: number;
  expiresIn: number;
}

export class TokenIssuer {
  constructor(
    private readonly key: SigningKey,
    private readonly issuer: () => string,
  ) {}

  async issue(claims: TokenClaims, lifetimeSeconds = TOKEN_LIFETIME_SECONDS): Promise<IssuedToken> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ ...claims, token_type: 'access' })
      .setProtectedHeader({ alg: 'RS512', kid: this.key.kid, typ: 'JWT' })
      .setIssuer(this.issuer())
      .setAudience([this.issuer()])
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
    return { token, issuedAt, expiresIn: lifetimeSeconds };
  }

  /** The token's claims, or a 401 `authentication_failed` with the IdP's message. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key.publicKey, {
        algorithms: ['RS512'],
        issuer: this.issuer(),
        audience: this.issuer(),
      });
      return TokenClaims.parse(payload);
    } catch (err) {
      throw new SandboxError(401, 'authentication_failed', verificationMessage(err));
    }
  }
}

function verificationMessage(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'Signature has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'Invalid issuer';
    if (err.claim === 'aud') return 'Invalid audience';
  }
  return 'Signature verification raised';
}
