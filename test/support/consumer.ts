/** What a bank's service does with its credential document: a client-credentials grant at its token URL. */
import type { BankCredentialDocument } from '../../src/model/bank-credential.js';

export function requestTokenAsService(
  credential: Pick<BankCredentialDocument, 'tokenUrl' | 'clientId' | 'clientSecret' | 'scopes'>,
): Promise<Response> {
  return fetch(credential.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      scope: credential.scopes.join(' '),
    }),
  });
}
