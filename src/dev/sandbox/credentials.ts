/**
 * Who may obtain tokens: the seeded organization credential, and every application created through the
 * API (until it is deleted). Secrets are compared in constant time.
 */
import type { ApplicationStore } from './application-store.js';
import type { CredentialKind } from './credential-scopes.js';
import { newGuid, newSecret, secretMatches, sha256 } from './ids.js';
import type { MetaStore } from './meta.js';

export interface OrgCredentials {
  clientId: string;
  clientSecret: string;
  /** True when the sandbox generated the id or the secret (now or on an earlier start). */
  generated: boolean;
}

const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/**
 * Options first, then SANDBOX_ORG_CLIENT_ID / SANDBOX_ORG_CLIENT_SECRET, else generated and persisted. A
 * generated secret is stored in plain text in the database (mode 0600): unlike application secrets it must
 * be shown again after a restart, and it guards only a local simulator.
 */
export function resolveOrgCredentials(
  meta: MetaStore,
  options: { clientId?: string; clientSecret?: string },
  env: NodeJS.ProcessEnv,
): OrgCredentials {
  const clientId = given(options.clientId) ?? given(env.SANDBOX_ORG_CLIENT_ID);
  const clientSecret = given(options.clientSecret) ?? given(env.SANDBOX_ORG_CLIENT_SECRET);
  return {
    clientId: clientId ?? meta.getOrCreate('org_client_id', newGuid),
    clientSecret: clientSecret ?? meta.getOrCreate('org_client_secret', newSecret),
    generated: clientId === undefined || clientSecret === undefined,
  };
}

/** An authenticated client and the subject its tokens speak for. */
export interface Client {
  clientId: string;
  kind: CredentialKind;
  /** Organization guid, or the bank guid of a bank application. */
  subject: string;
}

export class ClientRegistry {
  private readonly orgSecretHash: Buffer;
  // Compared against when the client id is unknown, so unknown ids take as long as wrong secrets.
  private readonly decoyHash = sha256(newSecret());

  constructor(
    private readonly org: OrgCredentials,
    private readonly organizationGuid: string,
    private readonly applications: ApplicationStore,
  ) {
    this.orgSecretHash = sha256(org.clientSecret);
  }

  authenticate(clientId: string, secret: string): Client | undefined {
    if (clientId === this.org.clientId) {
      return secretMatches(secret, this.orgSecretHash)
        ? { clientId, kind: 'organization', subject: this.organizationGuid }
        : undefined;
    }
    const app = this.applications.get(clientId);
    if (!secretMatches(secret, app?.secretHash ?? this.decoyHash) || !app) return undefined;
    if (app.expiresAt !== null && Date.parse(app.expiresAt) <= Date.now()) return undefined; // expired
    return { clientId, kind: app.kind, subject: app.bankGuid ?? this.organizationGuid };
  }

  /** False once the application behind a token has been deleted (its tokens stop working). */
  isActive(clientId: string): boolean {
    return clientId === this.org.clientId || this.applications.get(clientId) !== undefined;
  }
}
