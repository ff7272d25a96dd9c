/**
 * Scope values of the Cybrid IdP v0.129.899, as its API documents them. The IdP adds scopes almost every
 * release, so responses accept any string; only request bodies are checked against these lists.
 */
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
  'transfers:read',
  'transfers:write',
  'users:execute',
  'users:read',
  'users:write',
  'workflows:execute',
  'workflows:read',
] as const;

/** Scopes a customer token may carry: the application scopes minus the platform-administration families. */
export const CUSTOMER_TOKEN_SCOPES = APPLICATION_SCOPES.filter(
  (scope) =>
    !/^(banks|bank_applications|organizations|organization_applications|users|subscriptions|subscription_events|files):/.test(
      scope,
    ) && scope !== 'customers:execute',
) as readonly ApplicationScope[];

/** Scopes a user may be allowed: the application scopes plus the OpenID scopes. */
export const USER_SCOPES = [...APPLICATION_SCOPES, 'openid', 'profile', 'email'] as const;

export type ApplicationScope = (typeof APPLICATION_SCOPES)[number];
export type UserScope = (typeof USER_SCOPES)[number];
