/**
 * What each IdP operation needs of its bearer token, and the one judgement of a token's grant against it.
 * The scopes are the reference's (§1.6, with its quirks: listing bank applications needs `banks:read`,
 * deletes and disables need `:execute`); `writes` marks the operations IdPs since v0.129.1209 leave to a
 * person in the Partner Portal: an API key's token never holds their scope there.
 */
import type { WriteDecision, WriteMode } from '../model/workflow-safe/tasks.js';
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

/** What the worker holds for a write: its API key's grant, the write token source, or nothing. */
export type WriteAccess = 'api-key' | 'write-token' | 'none';

/**
 * Who makes a write of `operation`, under PROVISIONER_WRITE_MODE, given what the worker holds for it: the
 * one place this is decided. `automatic` leaves the write to the worker even without access (it then fails
 * with IdpWriteNotPermitted, as before write modes existed).
 */
export function decideWrite(operation: IdpOperation, mode: WriteMode, access: WriteAccess): WriteDecision {
  const { scope } = OPERATION_SCOPES[operation];
  const decision = (writer: WriteDecision['writer'], reason: string): WriteDecision => ({
    operation,
    mode,
    writer,
    reason,
  });
  if (mode === 'assisted')
    return decision('person', 'PROVISIONER_WRITE_MODE is assisted: a person makes every write');
  if (access === 'api-key') return decision('worker', `the IdP granted the worker's API key ${scope}`);
  if (access === 'write-token')
    return decision(
      'worker',
      `the write token source (CYBRID_IDP_WRITE_TOKEN_COMMAND) makes it: the IdP did not grant the API key ${scope}`,
    );
  return mode === 'automatic'
    ? decision(
        'worker',
        `PROVISIONER_WRITE_MODE is automatic: the IdP did not grant ${scope} and no write token source is configured, so the write fails`,
      )
    : decision(
        'person',
        `the IdP did not grant the worker's API key ${scope} and no write token source is configured: a person makes it in the Partner Portal`,
      );
}
