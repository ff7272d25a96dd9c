/** The bank's credential as onboarding and a reconcile ensure it: found or created, then verified. */
import { CancellationScope, workflowInfo } from '@temporalio/workflow';
import type { BankCredential } from '../activities/applications.js';
import { requestedApplication } from '../model/workflow-safe/application-names.js';
import type { ApplicationSettings } from '../model/contract.js';
import { steps } from './activity-proxies.js';
import type { StatusTracker } from './status.js';

/**
 * Finds or creates the bank's application (its secret stored, only a reference in history) and, when
 * `verify`, mints a token with it. A verification failure deletes an application this run created and
 * revokes its stored secret, so a re-run starts clean. Cancellation never interrupts the step that creates
 * the application and stores its secret.
 */
export async function ensureCredential(
  bankGuid: string,
  settings: ApplicationSettings,
  verify: boolean,
  progress: StatusTracker,
): Promise<BankCredential> {
  const { ensureBankApplication, removeBankApplication, revokeStoredCredentials, verifyBankCredential } =
    steps();
  progress.step('ensuring the bank application');
  const credential = await CancellationScope.nonCancellable(() =>
    ensureBankApplication.executeWithOptions(
      { summary: `Find or create the OAuth application of bank ${bankGuid}` },
      [requestedApplication(bankGuid, settings, workflowInfo().firstExecutionRunId)],
    ),
  );
  progress.update({ application: { clientId: credential.clientId, name: credential.name } });
  if (!verify) return credential;

  progress.step('verifying the credential');
  try {
    await verifyBankCredential.executeWithOptions(
      { summary: `Mint a token with the new credential ${credential.clientId}` },
      [{ bankGuid, clientId: credential.clientId, secretVersion: credential.secretVersion }],
    );
  } catch (err) {
    if (credential.created) {
      await CancellationScope.nonCancellable(async () => {
        progress.step('verification failed: removing the application this run created');
        await removeBankApplication({ clientId: credential.clientId });
        await revokeStoredCredentials({ bankGuid, clientIds: [credential.clientId] });
      });
    }
    throw err;
  }
  return credential;
}
