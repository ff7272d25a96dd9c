/** Revoking a bank's applications: shared by revokeBankCredentials and offboardBank. */
import { CancellationScope } from '@temporalio/workflow';
import { steps } from './activity-proxies.js';

export interface Revocation {
  /** Applications of the bank that this revocation deleted. */
  revoked: string[];
  /** Client ids asked for that the IdP does not list for this bank (gone already, or another bank's). */
  notFound: string[];
}

/**
 * Deletes the given applications of the bank (default: all of them) and marks their stored secrets revoked.
 * Only applications the IdP lists for this bank are deleted, so a client id of another bank is never
 * touched, and only those are reported revoked (running twice is harmless: the second run revokes
 * nothing). A stored secret of an application already gone is revoked too. Not interruptible halfway.
 */
export function revokeApplications(bankGuid: string, clientIds?: string[]): Promise<Revocation> {
  return CancellationScope.nonCancellable(async () => {
    const { listBankApplicationIds, removeBankApplication, revokeStoredCredentials } = steps();
    const existing = await listBankApplicationIds({ bankGuid });
    const targets = clientIds ?? existing;
    const revoked = targets.filter((id) => existing.includes(id));
    for (const clientId of revoked) {
      await removeBankApplication.executeWithOptions(
        { summary: `Delete application ${clientId} of bank ${bankGuid}` },
        [{ clientId }],
      );
    }
    await revokeStoredCredentials({ bankGuid, clientIds: targets });
    return { revoked, notFound: targets.filter((id) => !existing.includes(id)) };
  });
}
