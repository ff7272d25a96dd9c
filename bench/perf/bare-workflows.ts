/**
 * The ceiling's workflow: the shape of an onboarding (three activities one after the other) with nothing of
 * ours around it: no validation, no status, no summaries, no codec, activities that do nothing.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { bareActivities } from './bare-activities.js';

const { ensureApplication, verifyCredential, ensureUsers } = proxyActivities<typeof bareActivities>({
  startToCloseTimeout: '30s',
});

export async function bareOnboard(input: { bankGuid: string; users: { email: string }[] }): Promise<string> {
  const application = await ensureApplication(input.bankGuid);
  await verifyCredential(application);
  await ensureUsers(input.bankGuid, input.users);
  return application;
}
