/** Starts and stops the sandbox: database, credentials, signing key, faults, HTTP server. */
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { ApplicationStore } from './application-store.js';
import { authenticator } from './auth.js';
import type { SandboxContext } from './context.js';
import { CONTRACTS, resolveContract, type IdpContract } from './contracts.js';
import { ClientRegistry, resolveOrgCredentials, type OrgCredentials } from './credentials.js';
import { CustomerStore } from './customer-store.js';
import { openDatabase } from './db.js';
import { FaultInjector } from './fault-injector.js';
import type { SandboxFaults } from './faults.js';
import { newGuid } from './ids.js';
import { MetaStore } from './meta.js';
import { loadOrCreateSigningKey, TokenIssuer } from './tokens.js';
import { UserStore } from './user-store.js';

export interface SandboxOptions {
  /** SQLite file path, or ':memory:'. */
  database: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (random). */
  port?: number;
  /** Default: env SANDBOX_ORG_CLIENT_ID, else generated and persisted. */
  orgClientId?: string;
  /** Default: env SANDBOX_ORG_CLIENT_SECRET, else generated and persisted. */
  orgClientSecret?: string;
  faults?: Partial<SandboxFaults>;
  /** The IdP contract to speak. Default: env SANDBOX_CONTRACT, else 0.129.1425 (the newest). */
  contract?: IdpContract;
  /** Fastify logger option; default false. Secrets and Authorization headers are never logged. */
  logger?: boolean | object;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** The IdP contract it speaks. */
  contract: IdpContract;
  orgCredentials: OrgCredentials;
  setFaults(faults: Partial<SandboxFaults>): void;
  faults(): SandboxFaults;
  close(): Promise<void>;
}

/** The URL clients use; wildcard binds are reached through loopback. */
function urlOf(address: AddressInfo): string {
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${address.family === 'IPv6' ? `[${host}]` : host}:${address.port}`;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const contract = resolveContract(options.contract, process.env);
  const db = openDatabase(options.database);
  let url = '';
  try {
    const meta = new MetaStore(db);
    const orgCredentials = resolveOrgCredentials(
      meta,
      { clientId: options.orgClientId, clientSecret: options.orgClientSecret },
      process.env,
    );
    const organizationGuid = meta.getOrCreate('organization_guid', newGuid);
    const applications = new ApplicationStore(db);
    const clients = new ClientRegistry(orgCredentials, organizationGuid, applications);
    // The issuer is the URL, known only once listening; no request is served before it is set.
    const tokens = new TokenIssuer(loadOrCreateSigningKey(meta), () => url);
    const faults = new FaultInjector(options.faults);
    const ctx: SandboxContext = {
      applications,
      users: new UserStore(db),
      customers: new CustomerStore(db),
      clients,
      tokens,
      faults,
      auth: authenticator(tokens, clients, CONTRACTS[contract].portalToken.clientId),
      stats: { requests: 0, writes: 0, rateLimited: 0, lostResponses: [] },
      organizationGuid,
      portalUserGuid: meta.getOrCreate('portal_user_guid', newGuid),
      contract,
      behaviour: CONTRACTS[contract],
    };
    const app = buildApp(ctx, options.logger ?? false);
    try {
      await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    } catch (err) {
      await app.close();
      throw err;
    }
    url = urlOf(app.server.address() as AddressInfo);

    let closing: Promise<void> | undefined;
    return {
      url,
      contract,
      orgCredentials,
      setFaults: (patch) => void faults.update(patch),
      faults: () => faults.current(),
      close: () =>
        (closing ??= app.close().finally(() => {
          db.close();
        })),
    };
  } catch (err) {
    if (db.open) db.close();
    throw err;
  }
}
