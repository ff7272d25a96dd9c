/** Revoking a bank's applications: shared by revokeBankCredentials and offboardBank. */
import { CancellationScope } from '@temporalio/workflow';
import { listBankApplicationIds, removeBankApplication, revokeStoredCredentials } from './activities.js';

/**
 * Deletes the given applications of the bank (default: all of them) and marks their stored secrets revoked.
 * Only applications the IdP lists for this bank are deleted, so a client id of another bank is never
 * touched; one already gone counts as revoked (running twice is harmless). Not interruptible halfway.
 */
export function revokeApplications(bankGuid: string, clientIds?: string[]): Promise<string[]> {
  return CancellationScope.nonCancellable(async () => {
    const existing = await listBankApplicationIds({ bankGuid });
    const targets = clientIds ?? existing;
    for (const clientId of targets.filter((id) => existing.includes(id))) {
      await removeBankApplication.executeWithOptions(
        { summary: `Delete application ${clientId} of bank ${bankGuid}` },
        [{ clientId }],
      );
    }
    await revokeStoredCredentials({ bankGuid, clientIds: targets });
    return targets;
  });
}
