/** What the route modules share: stores, token machinery, faults and counters. */
import type { ApplicationStore } from './application-store.js';
import type { AuthHook, AuthRule } from './auth.js';
import type { ContractBehaviour, IdpContract } from './contracts.js';
import type { ClientRegistry } from './credentials.js';
import type { CustomerStore } from './customer-store.js';
import type { FaultInjector } from './fault-injector.js';
import type { TokenIssuer } from './tokens.js';
import type { UserStore } from './user-store.js';

/** A write that committed and then lost its answer, with what identifies what it wrote. */
export interface LostResponse {
  method: string;
  path: string;
  /** From the answer that never arrived: the user's email and guid, or the application's client id. */
  email?: string;
  guid?: string;
  clientId?: string;
}

export interface SandboxStats {
  /** Requests that arrived on /api/* and /oauth/token. */
  requests: number;
  /** IdP state changes committed by /api/* writes (applications and users; not tokens). */
  writes: number;
  /** Requests answered 429 because they went over the rate limit (`rateLimit`; not `throttleRate`). */
  rateLimited: number;
  /** Every answer the lost-response fault dropped, oldest first. */
  lostResponses: LostResponse[];
}

export interface SandboxContext {
  applications: ApplicationStore;
  users: UserStore;
  customers: CustomerStore;
  clients: ClientRegistry;
  tokens: TokenIssuer;
  faults: FaultInjector;
  auth: (rule: AuthRule) => AuthHook;
  stats: SandboxStats;
  organizationGuid: string;
  /** The person signed in to the Partner Portal (the subject of Portal tokens' `portal_user`). */
  portalUserGuid: string;
  /** The contract the sandbox speaks, and the one table of what that changes. */
  contract: IdpContract;
  behaviour: ContractBehaviour;
}
