/**
 * Which scopes each kind of credential may hold. The IdP does not say which scopes a new application
 * receives; our choice, kept in this one table:
 * - organization: every application scope of the contract;
 * - bank: the same minus organization_applications:*, organizations:* and users:* (the IdP documents users
 *   and organization applications as organization-only).
 * An application created through the API is granted exactly the set of its kind, and /oauth/token grants
 * at most that set (less what the contract withholds from API keys).
 */
export type CredentialKind = 'organization' | 'bank';

const ORGANIZATION_ONLY = /^(organization_applications|organizations|users):/;

export function credentialScopes(
  applicationScopes: readonly string[],
): Readonly<Record<CredentialKind, readonly string[]>> {
  return {
    organization: applicationScopes,
    bank: applicationScopes.filter((scope) => !ORGANIZATION_ONLY.test(scope)),
  };
}
