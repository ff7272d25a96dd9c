/**
 * Bank OAuth applications. Exactly-once on an IdP without idempotency keys: look at what exists, create only
 * when nothing is usable, and store the credential (its secret is returned only once) before returning a
 * reference. What to use and what to delete is decided by `application-settlement.ts`; this file does the
 * I/O around that decision.
 */
import { ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import { portalKeyExpiry } from '../idp/application-expiry.js';
import { applicationPathId } from '../idp/client.js';
import { isNotFound, applicationFailureUnlessCancelled } from '../idp/errors.js';
import {
  BANK_CREDENTIAL_FORMAT,
  BANK_CREDENTIAL_SCOPES,
  type BankCredentialDocument,
} from '../model/bank-credential.js';
import { credentialExpiry, renewedExpiry } from '../model/workflow-safe/credential-expiry.js';
import type { Application } from '../model/idp-schemas.js';
import type { CreateBankApiKeyValues, DeleteBankApiKeyValues } from '../model/workflow-safe/tasks.js';
import { bankCredentialSecretName } from '../model/secret-names.js';
import {
  settleOnboarding,
  settleRotation,
  type ApplicationsSeen,
  type Settlement,
} from './application-settlement.js';
import { storedCredentials } from './credential-documents.js';
import type { ActivityDeps } from './deps.js';

export interface BankApplicationInput {
  bankGuid: string;
  /** The name to create under; it carries the operation's marker (see model/application-names.ts). */
  name: string;
}

export interface EnsureBankApplicationInput extends BankApplicationInput {
  ipAllowlist?: string[];
  expiresAt?: string;
}

export interface BankCredential {
  clientId: string;
  name: string;
  secretRef: string;
  secretVersion: string;
  /** The application was created by this operation (so a failed verification may delete it). */
  created: boolean;
}

/** The key a person creates for a rotation, and when the key it replaces expires (if it does). */
export interface RotationKeyTask {
  values: CreateBankApiKeyValues;
  currentKeyExpiresAt?: string;
}

/** A stored credential to use, or the values of the key a person is to create. */
export type BankApiKeyPreparation =
  { kind: 'use'; credential: BankCredential } | { kind: 'ask'; values: CreateBankApiKeyValues };

type Settle = (seen: ApplicationsSeen) => Settlement;

export function applicationActivities(deps: ActivityDeps) {
  const { idp, secrets, orphanGraceMs, tokenUrl, keyLifetimeMs } = deps;
  const signal = cancellationSignal;

  async function bankApplications(bankGuid: string): Promise<Application[]> {
    const apps: Application[] = [];
    for await (const app of idp.listAllBankApplications({ bankGuid }, { signal: signal() })) apps.push(app);
    return apps;
  }

  /** `id`: the client id, or the guid where the IdP gave one. */
  async function deleteApplication(id: string): Promise<void> {
    try {
      await idp.deleteBankApplication(id, { signal: signal() });
    } catch (err) {
      if (!isNotFound(err)) throw err; // 404 = already gone
    }
  }

  /** Looks at the bank (the store first, then the IdP: see ApplicationsSeen), decides, and deletes what goes. */
  async function settleBank(input: BankApplicationInput, decide: Settle) {
    const secretName = bankCredentialSecretName(input.bankGuid);
    const stored = await storedCredentials(secrets, secretName);
    const applications = await bankApplications(input.bankGuid);
    const settlement = decide({
      applications,
      stored,
      ownName: input.name,
      nowMs: Date.now(),
      orphanGraceMs,
    });
    for (const { application, reason, revokeVersion } of settlement.remove) {
      log.warn(
        reason === 'twin'
          ? 'Deleting a twin application a concurrent attempt of this operation created'
          : 'Deleting an application this operation created whose secret was never stored',
        { clientId: application.client_id, name: application.name },
      );
      await deleteApplication(applicationPathId(application));
      if (revokeVersion !== undefined) await secrets.revoke(secretName, revokeVersion);
    }
    return settlement.outcome;
  }

  /** Creates the application and stores its credential document as a pending version. */
  async function createApplication(input: EnsureBankApplicationInput): Promise<void> {
    const created = await idp.createBankApplication(
      {
        name: input.name,
        bank_guid: input.bankGuid,
        ip_allowlist: input.ipAllowlist,
        expires_at: input.expiresAt,
      },
      { signal: signal() },
    );
    const expiresAt = credentialExpiry(created.expires_at, input.expiresAt);
    const document: BankCredentialDocument = {
      format: BANK_CREDENTIAL_FORMAT,
      bankGuid: input.bankGuid,
      clientId: created.client_id,
      clientSecret: created.secret,
      tokenUrl,
      scopes: [...BANK_CREDENTIAL_SCOPES],
      applicationName: created.name,
      createdAt: created.created_at,
      ...(expiresAt ? { expiresAt } : {}),
    };
    await secrets.put(bankCredentialSecretName(input.bankGuid), JSON.stringify(document), {
      stage: 'pending',
      idempotencyKey: created.client_id,
    });
  }

  /**
   * Uses what the bank has, or creates one application and settles again: a concurrent copy may have created
   * a twin meanwhile, and every copy must return the same one.
   */
  async function findOrCreate(input: EnsureBankApplicationInput, decide: Settle) {
    for (let round = 0; round < 2; round++) {
      const outcome = await settleBank(input, decide);
      switch (outcome.kind) {
        case 'use':
          return outcome;
        case 'wait':
          throw ApplicationFailure.create({
            type: 'ApplicationCreateInFlight',
            message: `Application ${outcome.application.client_id} (${outcome.application.name}) was created ${Math.round((Date.now() - Date.parse(outcome.application.created_at)) / 1000)}s ago and its secret is not stored yet; waiting for the attempt that created it`,
            nextRetryDelay: outcome.retryAfterMs,
          });
        case 'refuse':
          throw unknownApplications(input.bankGuid, outcome.unknown, secrets.scheme);
        case 'create':
          if (round === 0) await createApplication(input);
      }
    }
    throw ApplicationFailure.retryable(
      `The application created for bank ${input.bankGuid} is not listed yet`,
      'ApplicationNotListed',
    );
  }

  const credential = (
    outcome: Extract<Settlement['outcome'], { kind: 'use' }>,
    bankGuid: string,
  ): BankCredential => ({
    clientId: outcome.application.client_id,
    name: outcome.application.name,
    secretRef: secrets.ref(bankCredentialSecretName(bankGuid)),
    secretVersion: outcome.credential.version,
    created: outcome.ownApplication,
  });

  /**
   * Onboarding: the bank's credential, made current. Reuses the stored current one whenever its application
   * still exists, whatever its name (a bank rotated since onboarding keeps its rotated credential).
   */
  async function ensureBankApplication(input: EnsureBankApplicationInput): Promise<BankCredential> {
    try {
      const outcome = await findOrCreate(input, settleOnboarding);
      if (outcome.credential.stage !== 'current') {
        await secrets.promote(bankCredentialSecretName(input.bankGuid), outcome.credential.version);
      }
      return credential(outcome, input.bankGuid);
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * What the next application keeps of the current one when the input does not say: its IP allowlist, and
   * its lifetime when it expires (see model/credential-expiry.ts).
   */
  async function withCurrentSettings(input: EnsureBankApplicationInput): Promise<EnsureBankApplicationInput> {
    if (input.ipAllowlist !== undefined && input.expiresAt !== undefined) return input;
    const stored = await storedCredentials(secrets, bankCredentialSecretName(input.bankGuid));
    const current = stored.find((c) => c.stage === 'current');
    if (!current) return input;
    let app: Application | undefined;
    try {
      app = await idp.getBankApplication(current.clientId, { signal: signal() });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const expiresAt = credentialExpiry(app?.expires_at, current.expiresAt);
    return {
      ...input,
      ipAllowlist: input.ipAllowlist ?? app?.ip_allowlist,
      expiresAt:
        input.expiresAt ??
        (expiresAt && renewedExpiry({ createdAt: current.createdAt, expiresAt }, Date.now())),
    };
  }

  /**
   * Rotation: a new application of this operation, its credential stored as the pending version. Settings
   * the input leaves out are the current application's.
   */
  async function createPendingBankApplication(input: EnsureBankApplicationInput): Promise<BankCredential> {
    try {
      return credential(await findOrCreate(await withCurrentSettings(input), settleRotation), input.bankGuid);
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** Deletes a bank application; 404 counts as done. */
  async function removeBankApplication(input: { clientId: string }): Promise<void> {
    try {
      await deleteApplication(input.clientId);
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** The client ids of the bank's applications. */
  async function listBankApplicationIds(input: { bankGuid: string }): Promise<string[]> {
    try {
      return (await bankApplications(input.bankGuid)).map((a) => a.client_id);
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * Onboarding when a person creates the key: the stored credential when the bank has a usable one (no
   * task), else what the person is to create. Reads only: nothing is deleted, since an application of this
   * operation without a stored secret is the person's new key, waiting for its secret to be handed over.
   */
  async function prepareBankApiKeyTask(input: EnsureBankApplicationInput): Promise<BankApiKeyPreparation> {
    try {
      const secretName = bankCredentialSecretName(input.bankGuid);
      const stored = await storedCredentials(secrets, secretName);
      const applications = await bankApplications(input.bankGuid);
      const { outcome } = settleOnboarding({
        applications,
        stored,
        ownName: input.name,
        nowMs: Date.now(),
        orphanGraceMs,
      });
      if (outcome.kind === 'use') {
        if (outcome.credential.stage !== 'current')
          await secrets.promote(secretName, outcome.credential.version);
        return { kind: 'use', credential: credential(outcome, input.bankGuid) };
      }
      if (outcome.kind === 'refuse')
        throw unknownApplications(input.bankGuid, outcome.unknown, secrets.scheme);
      return {
        kind: 'ask',
        values: {
          bankGuid: input.bankGuid,
          name: input.name,
          ipAllowlist: input.ipAllowlist ?? [],
          expiresAt: portalKeyExpiry(input.expiresAt, Date.now(), keyLifetimeMs),
        },
      };
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * Rotation when a person creates the key: what the person is to create (settings the input leaves out are
   * the current key's, as createPendingBankApplication keeps them), and when the current key expires.
   */
  async function prepareRotationKeyTask(input: EnsureBankApplicationInput): Promise<RotationKeyTask> {
    try {
      const settings = await withCurrentSettings(input);
      const stored = await storedCredentials(secrets, bankCredentialSecretName(input.bankGuid));
      const currentKeyExpiresAt = stored.find((c) => c.stage === 'current')?.expiresAt;
      return {
        values: {
          bankGuid: input.bankGuid,
          name: input.name,
          ipAllowlist: settings.ipAllowlist ?? [],
          expiresAt: portalKeyExpiry(settings.expiresAt, Date.now(), keyLifetimeMs),
        },
        ...(currentKeyExpiresAt ? { currentKeyExpiresAt } : {}),
      };
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * The bank's API keys a person is to delete, as the Portal shows them: those of `clientIds` the IdP lists
   * for the bank (default: all of them). On IdPs before v0.129.1242, which give no guid, `guid` is the client id.
   */
  async function bankApiKeys(input: {
    bankGuid: string;
    clientIds?: string[];
  }): Promise<DeleteBankApiKeyValues[]> {
    try {
      return (await bankApplications(input.bankGuid))
        .filter((app) => !input.clientIds || input.clientIds.includes(app.client_id))
        .map((app) => ({ clientId: app.client_id, guid: applicationPathId(app), name: app.name }));
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  return {
    prepareBankApiKeyTask,
    prepareRotationKeyTask,
    bankApiKeys,
    ensureBankApplication,
    createPendingBankApplication,
    removeBankApplication,
    listBankApplicationIds,
  };
}

/** Applications the store does not know and this operation did not create: someone else's, left alone. */
function unknownApplications(bankGuid: string, unknown: Application[], store: string): ApplicationFailure {
  const listed = unknown.map((a) => `${a.client_id} ("${a.name}", created ${a.created_at})`).join(', ');
  return ApplicationFailure.nonRetryable(
    `Bank ${bankGuid} already has ${unknown.length === 1 ? 'an application' : 'applications'} ${listed} whose credential is not in the "${store}" secret store, and this operation did not create ${unknown.length === 1 ? 'it' : 'them'}; nothing was deleted or created. ` +
      `If another worker keeps its credentials elsewhere, point this worker at the same secret store (PROVISIONER_SECRET_STORE). ` +
      `If the credential is lost (e.g. a state directory was removed), revoke it with \`provisioner revoke ${bankGuid} --client-id <clientId>\` and onboard the bank again.`,
    'UnknownBankApplication',
  );
}
