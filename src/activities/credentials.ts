/**
 * The bank credential's life in the secret store, and proving a credential works: read its document, exchange
 * it for a token at the token endpoint the document names, and check the granted scopes.
 */
import { ApplicationFailure, cancellationSignal } from '@temporalio/activity';
import { applicationFailureUnlessCancelled } from '../idp/errors.js';
import type { RotationRecord } from '../ledger/index.js';
import { BANK_CREDENTIAL_SCOPES } from '../model/bank-credential.js';
import { bankCredentialSecretName } from '../model/secret-names.js';
import { readCredential, storedCredentials } from './credential-documents.js';
import type { ActivityDeps } from './deps.js';

export function credentialActivities({ idp, secrets, ledger }: ActivityDeps) {
  async function verifyBankCredential(input: {
    bankGuid: string;
    clientId: string;
    secretVersion: string;
  }): Promise<{ grantedScopes: string[] }> {
    try {
      const document = await readCredential(
        secrets,
        bankCredentialSecretName(input.bankGuid),
        input.secretVersion,
      );
      if (document.clientId !== input.clientId || document.bankGuid !== input.bankGuid) {
        throw ApplicationFailure.nonRetryable(
          `Secret version ${input.secretVersion} of bank ${input.bankGuid} belongs to ${document.clientId} of bank ${document.bankGuid}, not ${input.clientId}`,
          'CredentialMismatch',
        );
      }
      const token = await idp.exchangeClientCredentials(
        { clientId: document.clientId, clientSecret: document.clientSecret, scopes: document.scopes },
        { signal: cancellationSignal() },
      );
      const missing = BANK_CREDENTIAL_SCOPES.filter((s) => !token.grantedScopes.includes(s));
      if (missing.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `Credential ${input.clientId} of bank ${input.bankGuid} was not granted ${missing.join(', ')}`,
          'CredentialVerificationFailed',
        );
      }
      return { grantedScopes: token.grantedScopes };
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** Makes a pending version the bank's current credential; the old current becomes previous. */
  async function promoteBankCredential(input: { bankGuid: string; secretVersion: string }): Promise<void> {
    await secrets.promote(bankCredentialSecretName(input.bankGuid), input.secretVersion);
  }

  /** Revokes the stored credentials of these applications (idempotent); returns the versions revoked. */
  async function revokeStoredCredentials(input: {
    bankGuid: string;
    clientIds: string[];
  }): Promise<string[]> {
    const name = bankCredentialSecretName(input.bankGuid);
    const revoked: string[] = [];
    for (const stored of await storedCredentials(secrets, name)) {
      if (input.clientIds.includes(stored.clientId)) {
        await secrets.revoke(name, stored.version);
        revoked.push(stored.version);
      }
    }
    return revoked;
  }

  /** The bank's current credential, as recorded in the secret store. */
  async function currentBankCredential(input: {
    bankGuid: string;
  }): Promise<{ clientId: string; secretVersion: string; applicationName: string } | null> {
    const name = bankCredentialSecretName(input.bankGuid);
    const current = (await storedCredentials(secrets, name)).find((c) => c.stage === 'current');
    if (!current) return null;
    return {
      clientId: current.clientId,
      secretVersion: current.version,
      applicationName: current.applicationName,
    };
  }

  /** Records a finished rotation in the ledger, for `status` (idempotent per workflow). */
  async function recordRotation(input: { bankGuid: string; rotation: RotationRecord }): Promise<void> {
    await ledger.recordRotation(input.bankGuid, input.rotation);
  }

  return {
    verifyBankCredential,
    promoteBankCredential,
    revokeStoredCredentials,
    currentBankCredential,
    recordRotation,
  };
}
