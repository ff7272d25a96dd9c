/** The client-credentials grant at POST /oauth/token. */
import { invalidRequest } from './errors.js';
import { TokenRequest, TokenResponse } from '../model/idp-schemas.js';
import { parseOrThrow } from '../model/validation.js';
import type { Transport } from './transport.js';

const TOKEN_PATH = 'oauth/token';

/** Where a consumer of a credential mints tokens: the token endpoint under the IdP's base URL. */
export const tokenUrlOf = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, '')}/${TOKEN_PATH}`;

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
}

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  grantedScopes: string[];
  expiresAt: Date;
}

/**
 * Requests a token. Expiry is measured on our clock from the moment the request was sent (not from the
 * IdP's `created_at`), so clock skew cannot make a token look fresher than it is.
 */
export async function requestToken(
  send: Transport,
  operation: string,
  credentials: ClientCredentials,
  signal?: AbortSignal,
): Promise<AccessToken> {
  const body = parseOrThrow(
    TokenRequest,
    {
      grant_type: 'client_credentials',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      scope: credentials.scopes.length > 0 ? credentials.scopes.join(' ') : undefined,
    },
    (problems) => invalidRequest(operation, problems),
  );
  const sentAt = Date.now();
  const response = await send(
    { operation, method: 'post', path: TOKEN_PATH, json: body },
    TokenResponse,
    signal,
  );
  return {
    accessToken: response.access_token,
    tokenType: response.token_type,
    grantedScopes: response.scope.split(' ').filter((scope) => scope !== ''),
    expiresAt: new Date(sentAt + response.expires_in * 1000),
  };
}
