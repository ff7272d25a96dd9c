/**
 * Bank OAuth applications. Exactly-once on an IdP without idempotency keys (design decision 2): find by
 * deterministic name, create only when absent, and store the secret (returned only once) before returning a
 * reference. An application that exists without a stored secret is an orphan of a lost response: it is
 * deleted and created again, but only once it is older than any create still in flight could be.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isNotFound, toApplicationFailure } from '../idp/errors.js';
import type { Application } from '../idp/schemas.js';
import type { ActivityDeps } from './deps.js';
import { bankCredentialSecretName } from './secret-names.js';

export interface EnsureBankApplicationInput {
  bankGuid: string;
  name: string;
  ipAllowlist?: string[];
  expiresAt?: string;
  /**
   * `onboarding`: the bank's current credential is reused when its application still exists, whatever its
   * name (a bank rotated since onboarding keeps its rotated credential). `rotation`: find or create by name
   * only, and store the secret as the pending version.
   */
  purpose: 'onboarding' | 'rotation';
}

export interface BankCredential {
  clientId: string;
  name: string;
  secretRef: string;
  secretVersion: number;
  created: boolean;
}

export function applicationActivities({ idp, secrets, orphanGraceMs }: ActivityDeps) {
  const signal = () => Context.current().cancellationSignal;

  async function bankApplications(bankGuid: string): Promise<Application[]> {
    const apps: Application[] = [];
    for await (const app of idp.listAllBankApplications({ bankGuid }, { signal: signal() })) apps.push(app);
    return apps;
  }

  async function ensureBankApplication(input: EnsureBankApplicationInput): Promise<BankCredential> {
    const secretName = bankCredentialSecretName(input.bankGuid);
    try {
      const versions = await secrets.versions(secretName);
      const apps = await bankApplications(input.bankGuid);
      const credential = (app: Application, version: number): BankCredential => ({
        clientId: app.client_id,
        name: app.name,
        secretRef: secrets.ref(secretName),
        secretVersion: version,
        created: false,
      });

      if (input.purpose === 'onboarding') {
        const current = versions.find((v) => v.stage === 'current');
        const app = current && apps.find((a) => a.client_id === current.metadata.clientId);
        if (current && app) return credential(app, current.version);
      }

      const named = apps.filter((a) => a.name === input.name);
      for (const app of named) {
        const stored = versions.find((v) => v.metadata.clientId === app.client_id && v.stage !== 'revoked');
        if (stored) return credential(app, stored.version);
      }
      for (const orphan of named) {
        const ageMs = Date.now() - Date.parse(orphan.created_at);
        if (ageMs < orphanGraceMs) {
          throw ApplicationFailure.create({
            type: 'ApplicationCreateInFlight',
            message: `Application ${orphan.client_id} (${orphan.name}) was created ${Math.round(ageMs / 1000)}s ago and its secret is not stored yet; waiting for the attempt that created it`,
            nextRetryDelay: orphanGraceMs - ageMs,
          });
        }
        Context.current().log.warn('Deleting application whose secret was never stored', {
          clientId: orphan.client_id,
          bankGuid: input.bankGuid,
        });
        await deleteApplication(orphan.client_id);
      }

      const created = await idp.createBankApplication(
        {
          name: input.name,
          bank_guid: input.bankGuid,
          ip_allowlist: input.ipAllowlist,
          expires_at: input.expiresAt,
        },
        { signal: signal() },
      );
      const { version } = await secrets.put(secretName, created.secret, {
        stage: input.purpose === 'onboarding' ? 'current' : 'pending',
        idempotencyKey: created.client_id,
        metadata: { clientId: created.client_id, applicationName: created.name },
      });
      return { ...credential(created, version), created: true };
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  async function deleteApplication(clientId: string): Promise<void> {
    try {
      await idp.deleteBankApplication(clientId, { signal: signal() });
    } catch (err) {
      if (!isNotFound(err)) throw err; // 404 = already gone
    }
  }

  /** Deletes a bank application; 404 counts as done. */
  async function deleteBankApplication(input: { clientId: string }): Promise<void> {
    try {
      await deleteApplication(input.clientId);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  /** The client ids of the bank's applications. */
  async function listBankApplicationIds(input: { bankGuid: string }): Promise<string[]> {
    try {
      return (await bankApplications(input.bankGuid)).map((a) => a.client_id);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  return { ensureBankApplication, deleteBankApplication, listBankApplicationIds };
}
