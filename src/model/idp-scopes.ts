/**
 * Scope values of the Cybrid IdP, per published contract: v0.129.899 (the last whose API keys may write
 * identities) and v0.129.1425 (the newest; it adds `transfers:pii:read`), as the models of Cybrid's generated
 * clients list them. The IdP adds scopes almost every release, so responses accept any string; only request
 * bodies are checked against these lists.
 */

/** The IdP contracts this project speaks, newest first. */
export const IDP_CONTRACTS = ['0.129.1425', '0.129.899'] as const;
export type IdpContract = (typeof IDP_CONTRACTS)[number];
export const NEWEST_IDP_CONTRACT: IdpContract = '0.129.1425';

/** The 71 application scopes of v0.129.1425 (the newest), alphabetical as in the client. */
export const APPLICATION_SCOPES = [
  'accounts:execute',
  'accounts:read',
  'accounts:write',
  'bank_applications:execute',
  'bank_applications:read',
  'bank_applications:write',
  'banks:execute',
  'banks:read',
  'banks:write',
  'counterparties:execute',
  'counterparties:pii:read',
  'counterparties:read',
  'counterparties:write',
  'customers:execute',
  'customers:pii:read',
  'customers:read',
  'customers:write',
  'deposit_addresses:execute',
  'deposit_addresses:read',
  'deposit_addresses:write',
  'deposit_bank_accounts:execute',
  'deposit_bank_accounts:read',
  'deposit_bank_accounts:write',
  'executions:execute',
  'executions:read',
  'external_bank_accounts:execute',
  'external_bank_accounts:pii:read',
  'external_bank_accounts:read',
  'external_bank_accounts:write',
  'external_wallets:execute',
  'external_wallets:read',
  'external_wallets:write',
  'files:execute',
  'files:pii:read',
  'files:read',
  'identity_verifications:execute',
  'identity_verifications:pii:read',
  'identity_verifications:read',
  'identity_verifications:write',
  'invoices:execute',
  'invoices:read',
  'invoices:write',
  'organization_applications:execute',
  'organization_applications:read',
  'organization_applications:write',
  'organizations:read',
  'organizations:write',
  'persona_sessions:execute',
  'plans:execute',
  'plans:read',
  'prices:read',
  'quotes:execute',
  'quotes:read',
  'sardine_sessions:execute',
  'subscription_events:execute',
  'subscription_events:read',
  'subscriptions:execute',
  'subscriptions:read',
  'subscriptions:write',
  'trades:execute',
  'trades:read',
  'transactions:read',
  'transfers:execute',
  'transfers:pii:read',
  'transfers:read',
  'transfers:write',
  'users:execute',
  'users:read',
  'users:write',
  'workflows:execute',
  'workflows:read',
] as const;

/** The 70 application scopes of v0.129.899: all but the one v0.129.1425 added. */
export const APPLICATION_SCOPES_V0_129_899 = APPLICATION_SCOPES.filter(
  (scope) => scope !== 'transfers:pii:read',
) as unknown as readonly [ApplicationScope, ...ApplicationScope[]];

const PLATFORM_ADMINISTRATION =
  /^(banks|bank_applications|organizations|organization_applications|users|subscriptions|subscription_events|files):/;

/** Scopes a customer token may carry: the application scopes minus the platform-administration families. */
const customerTokenScopes = <S extends string>(applicationScopes: readonly S[]) =>
  applicationScopes.filter(
    (scope) => !PLATFORM_ADMINISTRATION.test(scope) && scope !== 'customers:execute',
  ) as unknown as readonly [S, ...S[]];

/** Scopes a user may be allowed: the application scopes plus the OpenID scopes. */
const OPENID_SCOPES = ['openid', 'profile', 'email'] as const;

export const CUSTOMER_TOKEN_SCOPES = customerTokenScopes(APPLICATION_SCOPES);
export const USER_SCOPES = [...APPLICATION_SCOPES, ...OPENID_SCOPES] as const;

export type ApplicationScope = (typeof APPLICATION_SCOPES)[number];
export type UserScope = (typeof USER_SCOPES)[number];

export interface ContractScopes {
  /** Application / ApplicationWithSecret `scopes` (71 in v0.129.1425, 70 in v0.129.899). */
  application: readonly [string, ...string[]];
  /** PostCustomerToken `scopes` (48 / 47). */
  customerToken: readonly [string, ...string[]];
  /** User / PostUser / PatchUser `allowed_scopes` (74 / 73). */
  user: readonly [string, ...string[]];
}

export const SCOPES_OF_CONTRACT: Readonly<Record<IdpContract, ContractScopes>> = {
  '0.129.1425': {
    application: APPLICATION_SCOPES,
    customerToken: CUSTOMER_TOKEN_SCOPES,
    user: USER_SCOPES,
  },
  '0.129.899': {
    application: APPLICATION_SCOPES_V0_129_899,
    customerToken: customerTokenScopes(APPLICATION_SCOPES_V0_129_899),
    user: [...APPLICATION_SCOPES_V0_129_899, ...OPENID_SCOPES],
  },
};

/**
 * Since v0.129.1209 (applications), v0.129.1230 (users) and v0.129.1287 (subscriptions) a token issued for an
 * API key never holds these: asked for together with other scopes they are dropped silently, and the keys
 * and users are written by a person in the Partner Portal.
 */
export const API_KEY_WITHHELD_SCOPES = [
  'organization_applications:write',
  'organization_applications:execute',
  'bank_applications:write',
  'bank_applications:execute',
  'users:write',
  'users:execute',
  'subscriptions:read',
  'subscriptions:write',
  'subscriptions:execute',
] as const satisfies readonly ApplicationScope[];
