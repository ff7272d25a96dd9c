/**
 * Bank OAuth applications. Exactly-once on an IdP without idempotency keys: find by
 * deterministic name, create only when absent, and store the secret (returned only once) before returning a
 * reference. An application that exists without a stored secret is an orphan of a lost response: it is
 * deleted and created again, but only once it is older than any create still in flight could be.
 */
import { ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import { isNotFound, toApplicationFailure } from '../idp/errors.js';
import type { Application } from '../model/idp-schemas.js';
import type { SecretVersionInfo } from '../secrets/index.js';
import type { ActivityDeps } from './deps.js';
import { bankCredentialSecretName } from '../model/secret-names.js';

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
  async function bankApplications(bankGuid: string): Promise<Application[]> {
    const apps: Application[] = [];
    for await (const app of idp.listAllBankApplications({ bankGuid }, { signal: cancellationSignal() }))
      apps.push(app);
    return apps;
  }

  const credential = (app: Application, secretName: string, version: number): BankCredential => ({
    clientId: app.client_id,
    name: app.name,
    secretRef: secrets.ref(secretName),
    secretVersion: version,
    created: false,
  });

  const oldestFirst = (a: Application, b: Application) =>
    a.created_at.localeCompare(b.created_at) || a.client_id.localeCompare(b.client_id);

  const createInFlight = (app: Application, ageMs: number) =>
    ApplicationFailure.create({
      type: 'ApplicationCreateInFlight',
      message: `Application ${app.client_id} (${app.name}) was created ${Math.round(ageMs / 1000)}s ago and its secret is not stored yet; waiting for the attempt that created it`,
      nextRetryDelay: Math.max(orphanGraceMs - ageMs, 1_000),
    });

  /**
   * Settles the applications named `input.name`: the oldest one whose secret is stored wins, and every copy
   * of this activity picks the same one (oldest, then lowest client id). Younger twins from a concurrent
   * copy are deleted with their stored secrets; older ones without a secret are orphans of a lost response,
   * deleted once past the grace period. Returns undefined when there is nothing to use yet.
   */
  async function settle(
    input: EnsureBankApplicationInput,
    secretName: string,
  ): Promise<BankCredential | undefined> {
    const versions = await secrets.versions(secretName);
    const storedFor = (app: Application) =>
      versions.find((v) => v.metadata.clientId === app.client_id && v.stage !== 'revoked');
    const named = (await bankApplications(input.bankGuid))
      .filter((a) => a.name === input.name)
      .sort(oldestFirst);
    let winner: { app: Application; version: SecretVersionInfo } | undefined;
    for (const app of named) {
      const stored = storedFor(app);
      const ageMs = Date.now() - Date.parse(app.created_at);
      if (!winner && stored) {
        winner = { app, version: stored };
      } else if (stored) {
        log.warn('Deleting a twin application created by a concurrent attempt', {
          clientId: app.client_id,
        });
        await deleteApplication(app.client_id);
        await secrets.revoke(secretName, stored.version);
      } else if (ageMs >= orphanGraceMs) {
        log.warn('Deleting an application whose secret was never stored', {
          clientId: app.client_id,
        });
        await deleteApplication(app.client_id);
      } else if (!winner) {
        throw createInFlight(app, ageMs);
      } // else: a younger twin still in flight; its own attempt settles and removes it
    }
    if (!winner) return undefined;
    if (input.purpose === 'onboarding' && winner.version.stage !== 'current') {
      await secrets.promote(secretName, winner.version.version);
    }
    return credential(winner.app, secretName, winner.version.version);
  }

  async function ensureBankApplication(input: EnsureBankApplicationInput): Promise<BankCredential> {
    const secretName = bankCredentialSecretName(input.bankGuid);
    try {
      if (input.purpose === 'onboarding') {
        const current = (await secrets.versions(secretName)).find((v) => v.stage === 'current');
        const app =
          current &&
          (await bankApplications(input.bankGuid)).find((a) => a.client_id === current.metadata.clientId);
        if (current && app) return credential(app, secretName, current.version);
      }
      const existing = await settle(input, secretName);
      if (existing) return existing;

      const created = await idp.createBankApplication(
        {
          name: input.name,
          bank_guid: input.bankGuid,
          ip_allowlist: input.ipAllowlist,
          expires_at: input.expiresAt,
        },
        { signal: cancellationSignal() },
      );
      await secrets.put(secretName, created.secret, {
        stage: input.purpose === 'onboarding' ? 'current' : 'pending',
        idempotencyKey: created.client_id,
        metadata: { clientId: created.client_id, applicationName: created.name },
      });
      // A concurrent copy may have created a twin meanwhile: settle again, so every copy returns the same one.
      const settled = await settle(input, secretName);
      if (!settled)
        throw ApplicationFailure.retryable(
          `Application ${created.client_id} vanished after its creation`,
          'ApplicationVanished',
        );
      return { ...settled, created: settled.clientId === created.client_id };
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  async function deleteApplication(clientId: string): Promise<void> {
    try {
      await idp.deleteBankApplication(clientId, { signal: cancellationSignal() });
    } catch (err) {
      if (!isNotFound(err)) throw err; // 404 = already gone
    }
  }

  /** Deletes a bank application; 404 counts as done. */
  async function removeBankApplication(input: { clientId: string }): Promise<void> {
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

  return { ensureBankApplication, removeBankApplication, listBankApplicationIds };
}
