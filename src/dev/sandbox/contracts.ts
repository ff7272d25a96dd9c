/**
 * What differs between the two IdP contracts the sandbox speaks, in one table the routes read (no `if
 * contract` elsewhere). v0.129.899 is the last whose API keys may write identities; v0.129.1425 is the
 * newest Cybrid publishes (see docs/sandbox.md for which release brought what).
 *
 * Where the published contract is silent the entry says GUESS: those are our choices, kept here.
 */
import { z } from 'zod';
import { REQUEST_SCHEMAS_OF_CONTRACT, type ContractRequestSchemas } from '../../model/idp-schemas.js';
import {
  API_KEY_WITHHELD_SCOPES,
  IDP_CONTRACTS,
  NEWEST_IDP_CONTRACT,
  SCOPES_OF_CONTRACT,
  type ContractScopes,
  type IdpContract,
} from '../../model/idp-scopes.js';
import { credentialScopes, type CredentialKind } from './credential-scopes.js';

export { IDP_CONTRACTS, NEWEST_IDP_CONTRACT, type IdpContract };

export interface PortalTokenRules {
  /** Seconds a Portal token lives. GUESS: "short-lived"; 300 s, a sixth of an API-key token's 1800 s. */
  lifetimeSeconds: number;
  /**
   * The `client_id` claim of a Portal token (our own claim, as for API-key tokens). GUESS: the Portal is no
   * API key, so a fixed name that no application can have.
   */
  clientId: string;
}

export interface ContractBehaviour {
  /** Scope enums of the contract's models. */
  scopes: ContractScopes;
  /**
   * What each kind of credential may hold, from the contract's application enum. GUESS: under v0.129.1425 a
   * new application's `scopes` still lists the write scopes of its kind; only its tokens lose them.
   */
  credentialScopes: Readonly<Record<CredentialKind, readonly string[]>>;
  /** Request bodies as the contract defines them (v0.129.1425: Post*Application.expires_at required). */
  requests: ContractRequestSchemas;
  /**
   * Scopes /oauth/token never grants an API key (dropped silently when asked for with others).
   * GUESS: asked for alone (nothing else left to grant) they are an `invalid_scope` error, as any scope
   * the credential cannot hold.
   */
  apiKeyWithheldScopes: readonly string[];
  /** Application answers carry `guid` (v0.129.1242) and `expires_at` (v0.129.1229). */
  applicationGuid: boolean;
  /** A `{client_id}` path parameter may be the application's guid (v0.129.1242). */
  clientIdMayBeGuid: boolean;
  /**
   * PostCustomerToken's `inherit_ip_allowlist` (default true) and `ip_allowlist` (v0.129.1221). The combined
   * allowlist is carried in the customer token's `ip_allowlist` claim. GUESS: "combined" is the union of the
   * bank API key's allowlist and the asked one (an empty result: no restriction); the claim's name.
   */
  customerTokenAllowlist: boolean;
  /**
   * POST /__sandbox/portal-token: a person signed in to the Partner Portal. The contract says nothing of
   * the Portal's tokens (GUESS, all of it): an RS512 JWT from the same issuer as API-key tokens, subject the
   * organization (`sub_type` "organization"), every scope an organization may hold including the write and
   * execute ones, a `portal_user` claim naming the person, and the /api write endpoints accept it as they
   * accepted an organization API key's token under v0.129.899. A write by an API-key token, which lacks the
   * scope, gets 403 `invalid_scopes` "Invalid scopes. Required: <scope>" (§5.1's order of checks; the body
   * is a GUESS: the IdP's documented 403 for a missing scope).
   */
  portalToken: PortalTokenRules;
}

const PORTAL_TOKEN: PortalTokenRules = { lifetimeSeconds: 300, clientId: 'partner-portal' };

export const CONTRACTS: Readonly<Record<IdpContract, ContractBehaviour>> = {
  '0.129.1425': {
    scopes: SCOPES_OF_CONTRACT['0.129.1425'],
    credentialScopes: credentialScopes(SCOPES_OF_CONTRACT['0.129.1425'].application),
    requests: REQUEST_SCHEMAS_OF_CONTRACT['0.129.1425'],
    apiKeyWithheldScopes: API_KEY_WITHHELD_SCOPES,
    applicationGuid: true,
    clientIdMayBeGuid: true,
    customerTokenAllowlist: true,
    portalToken: PORTAL_TOKEN,
  },
  '0.129.899': {
    scopes: SCOPES_OF_CONTRACT['0.129.899'],
    credentialScopes: credentialScopes(SCOPES_OF_CONTRACT['0.129.899'].application),
    requests: REQUEST_SCHEMAS_OF_CONTRACT['0.129.899'],
    apiKeyWithheldScopes: [],
    applicationGuid: false,
    clientIdMayBeGuid: false,
    customerTokenAllowlist: false,
    // No Portal in this contract's world, but the sandbox serves the token under both (writes behave alike).
    portalToken: PORTAL_TOKEN,
  },
};

export const IdpContractSchema = z.enum(IDP_CONTRACTS, {
  error: `must be one of ${IDP_CONTRACTS.join(', ')}`,
});

/** The contract asked for (option, then SANDBOX_CONTRACT), else the newest. */
export function resolveContract(option: string | undefined, env: NodeJS.ProcessEnv): IdpContract {
  const asked = option ?? (env.SANDBOX_CONTRACT || undefined);
  if (asked === undefined) return NEWEST_IDP_CONTRACT;
  const parsed = IdpContractSchema.safeParse(asked);
  if (!parsed.success)
    throw new Error(`sandbox contract ${asked}: must be one of ${IDP_CONTRACTS.join(', ')}`);
  return parsed.data;
}
