/**
 * What each IdP operation needs of its bearer token, and the one judgement of a token's grant against it.
 * The scopes are the reference's (§1.6, with its quirks: listing bank applications needs `banks:read`,
 * deletes and disables need `:execute`); `writes` marks the operations IdPs since v0.129.1209 leave to a
 * person in the Partner Portal: an API key's token never holds their scope there.
 */
import type { AccessToken } from './token.js';

export const OPERATION_SCOPES = {
  listBankApplications: { scope: 'banks:read', writes: false },
  createBankApplication: { scope: 'bank_applications:execute', writes: true },
  getBankApplication: { scope: 'bank_applications:read', writes: false },
  updateBankApplication: { scope: 'bank_applications:write', writes: true },
  deleteBankApplication: { scope: 'bank_applications:execute', writes: true },
  listOrganizationApplications: { scope: 'organizations:read', writes: false },
  createOrganizationApplication: { scope: 'organization_applications:execute', writes: true },
  getOrganizationApplication: { scope: 'organization_applications:read', writes: false },
  updateOrganizationApplication: { scope: 'organization_applications:write', writes: true },
  deleteOrganizationApplication: { scope: 'organization_applications:execute', writes: true },
  listUsers: { scope: 'users:read', writes: false },
  createUser: { scope: 'users:execute', writes: true },
  getUser: { scope: 'users:read', writes: false },
  updateUser: { scope: 'users:write', writes: true },
  disableUser: { scope: 'users:execute', writes: true },
  createCustomerToken: { scope: 'customers:write', writes: false },
} as const satisfies Record<string, { scope: string; writes: boolean }>;

export type IdpOperation = keyof typeof OPERATION_SCOPES;

/**
 * The ApplicationFailure `type` of a write the worker may not make (errors.ts writeNotPermitted), and its
 * details: what a workflow reads to hand the write to a person. Free of I/O, so workflow code may import it.
 */
export const WRITE_NOT_PERMITTED = 'IdpWriteNotPermitted';
export interface WriteNotPermittedDetails {
  operation: IdpOperation;
  missingScopes: string[];
}

/**
 * How to send `operation` given what the client asked for and what the IdP granted:
 * - `send`: with the token (granted, or never asked for: then the IdP's own 403 answers);
 * - `write-elsewhere`: a write whose scope the IdP dropped from the grant: only another token may make it;
 * - `read-dropped`: a read whose scope the IdP dropped: nothing the worker has may make it.
 */
export type GrantVerdict =
  { kind: 'send' } | { kind: 'write-elsewhere'; scope: string } | { kind: 'read-dropped'; scope: string };

export function judgeGrant(
  operation: IdpOperation,
  requested: readonly string[],
  token: Pick<AccessToken, 'grantedScopes'>,
): GrantVerdict {
  const { scope, writes } = OPERATION_SCOPES[operation];
  if (!requested.includes(scope) || token.grantedScopes.includes(scope)) return { kind: 'send' };
  return writes ? { kind: 'write-elsewhere', scope } : { kind: 'read-dropped', scope };
}
