/** What the route modules share: stores, token machinery, faults and counters. */
import type { ApplicationStore } from './application-store.js';
import type { AuthHook, AuthRule } from './auth.js';
import type { ClientRegistry } from './credentials.js';
import type { CustomerStore } from './customer-store.js';
import type { FaultInjector } from './fault-injector.js';
import type { TokenIssuer } from './tokens.js';
import type { UserStore } from './user-store.js';

export interface SandboxStats {
  /** Requests that arrived on /api/* and /oauth/token. */
  requests: number;
  /** IdP state changes committed by /api/* writes (applications and users; not tokens). */
  writes: number;
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
}
