/**
 * The bank credential's life in the secret store, and proving a credential works: exchange it for a token
 * at /oauth/token and check the granted scopes.
 */
import { ApplicationFailure, cancellationSignal } from '@temporalio/activity';
import { toApplicationFailure } from '../idp/errors.js';
import type { RotationRecord } from '../ledger/ledger.js';
import type { ActivityDeps } from './deps.js';
import { bankCredentialSecretName } from '../model/secret-names.js';

/**
 * Scopes a working bank credential must be granted. The IdP does not document which scopes a new bank
 * application receives; these are the ones a bank integration needs at minimum and that
 * every documented bank credential example requests. Kept here, in one place, so it is easy to change.
 */
export const BANK_CREDENTIAL_REQUIRED_SCOPES = [
  'banks:read',
  'bank_applications:read',
  'customers:read',
  'customers:write',
] as const;

export function credentialActivities({ idp, secrets, ledger }: ActivityDeps) {
  async function verifyBankCredential(input: {
    bankGuid: string;
    clientId: string;
    secretVersion: number;
  }): Promise<{ grantedScopes: string[] }> {
    try {
      const secret = await secrets.get(bankCredentialSecretName(input.bankGuid), {
        version: input.secretVersion,
      });
      if (secret.metadata.clientId !== input.clientId) {
        throw ApplicationFailure.nonRetryable(
          `Secret version ${input.secretVersion} of bank ${input.bankGuid} belongs to ${secret.metadata.clientId}, not ${input.clientId}`,
          'CredentialMismatch',
        );
      }
      const token = await idp.exchangeClientCredentials(
        { clientId: input.clientId, clientSecret: secret.value, scopes: BANK_CREDENTIAL_REQUIRED_SCOPES },
        { signal: cancellationSignal() },
      );
      const missing = BANK_CREDENTIAL_REQUIRED_SCOPES.filter((s) => !token.grantedScopes.includes(s));
      if (missing.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `Credential ${input.clientId} of bank ${input.bankGuid} was not granted ${missing.join(', ')}`,
          'CredentialVerificationFailed',
        );
      }
      return { grantedScopes: token.grantedScopes };
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }

  /** Makes a pending version the bank's current credential; the old current becomes previous. */
  async function promoteBankCredential(input: { bankGuid: string; secretVersion: number }): Promise<void> {
    await secrets.promote(bankCredentialSecretName(input.bankGuid), input.secretVersion);
  }

  /** Marks the stored secrets of these applications revoked (idempotent). */
  async function revokeStoredCredentials(input: {
    bankGuid: string;
    clientIds: string[];
  }): Promise<number[]> {
    const name = bankCredentialSecretName(input.bankGuid);
    const revoked: number[] = [];
    for (const version of await secrets.versions(name)) {
      if (input.clientIds.includes(version.metadata.clientId ?? '') && version.stage !== 'revoked') {
        await secrets.revoke(name, version.version);
        revoked.push(version.version);
      }
    }
    return revoked;
  }

  /** The bank's current credential, as recorded in the secret store. */
  async function currentBankCredential(input: {
    bankGuid: string;
  }): Promise<{ clientId: string; secretVersion: number; applicationName: string } | null> {
    const current = (await secrets.versions(bankCredentialSecretName(input.bankGuid))).find(
      (v) => v.stage === 'current',
    );
    if (!current?.metadata.clientId) return null;
    return {
      clientId: current.metadata.clientId,
      secretVersion: current.version,
      applicationName: current.metadata.applicationName ?? '',
    };
  }

  /** Records a finished rotation in the ledger, for `status` (idempotent per workflow). */
  async function recordRotation(input: { bankGuid: string; rotation: RotationRecord }): Promise<void> {
    ledger.recordRotation(input.bankGuid, input.rotation);
    return Promise.resolve();
  }

  return {
    verifyBankCredential,
    promoteBankCredential,
    revokeStoredCredentials,
    currentBankCredential,
    recordRotation,
  };
}
