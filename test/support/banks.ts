/** Shared steps of the lifecycle tests: onboard a bank, read its credential, try it at /oauth/token. */
import assert from 'node:assert/strict';
import type { OnboardBankResult } from '../../src/model/contract.js';
import { randomGuid, type TestWorld } from './env.js';
import { listBankApplications } from './idp.js';

export async function onboardedBank(world: TestWorld, users: string[] = []): Promise<OnboardBankResult> {
  const handle = await world.client.startOnboarding({
    bankGuid: randomGuid(),
    users: users.map((email) => ({ email })),
  });
  return handle.result();
}

/** The stored secret of the bank's current credential. */
export async function currentSecret(world: TestWorld, bankGuid: string) {
  return world.deps.secrets.get(`banks/${bankGuid}/client-secret`);
}

/** Whether these credentials still mint a token. */
export async function mintsToken(world: TestWorld, clientId: string, clientSecret: string): Promise<boolean> {
  try {
    await world.deps.activityDeps.idp.exchangeClientCredentials({
      clientId,
      clientSecret,
      scopes: ['banks:read'],
    });
    return true;
  } catch {
    return false;
  }
}

/** The bank has exactly one application, `clientId`, whose stored secret is current and mints a token. */
export async function assertSoleWorkingCredential(world: TestWorld, bankGuid: string, clientId: string) {
  const apps = await listBankApplications(world, bankGuid);
  assert.deepEqual(
    apps.map((a) => a.client_id),
    [clientId],
  );
  const current = await currentSecret(world, bankGuid);
  assert.equal(current.metadata.clientId, clientId);
  assert.ok(await mintsToken(world, clientId, current.value), `${clientId} does not mint a token`);
}
