/**
 * Which scopes each kind of credential may hold. The IdP does not say which scopes a new application
 * receives; our choice, kept in this one table:
 * - organization: every application scope;
 * - bank: the same minus organization_applications:*, organizations:* and users:* (the IdP documents users
 *   and organization applications as organization-only).
 * An application created through the API is granted exactly the set of its kind, and /oauth/token grants
 * at most that set.
 */
import { APPLICATION_SCOPES } from '../../model/idp-scopes.js';

export type CredentialKind = 'organization' | 'bank';

const ORGANIZATION_ONLY = /^(organization_applications|organizations|users):/;

export const CREDENTIAL_SCOPES: Readonly<Record<CredentialKind, readonly string[]>> = {
  organization: APPLICATION_SCOPES,
  bank: APPLICATION_SCOPES.filter((scope) => !ORGANIZATION_ONLY.test(scope)),
};
