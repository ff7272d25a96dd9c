/** A stand-in for an organization's identity provider: a JWKS endpoint over HTTP and JWTs it signs. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export const ISSUER = 'https://idp.example.test/';
export const AUDIENCE = 'provisioner-api';

export async function startIdentityProvider() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  /** A JWT with these claims; by default valid for a minute, for this issuer and audience. */
  const sign = (
    claims: { sub?: string; scope?: string; aud?: string; expiresIn?: string | number },
    key: CryptoKey = privateKey,
  ) =>
    new SignJWT({ scope: claims.scope })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setSubject(claims.sub ?? 'onboarding-service')
      .setIssuedAt()
      .setExpirationTime(claims.expiresIn ?? '1m')
      .sign(key);

  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    sign,
    /** A key the identity provider does not publish. */
    otherKey: async () => (await generateKeyPair('RS256')).privateKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
