/** Shared steps of the lifecycle tests: onboard a bank, read its credential, try it at /oauth/token. */
import assert from 'node:assert/strict';
import { readCredential, storedCredentials } from '../../src/activities/credential-documents.js';
import type { OnboardBankResult } from '../../src/model/contract.js';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { UserInviteDocument } from '../../src/model/user-invite.js';
import { randomGuid, type TestWorld } from './env.js';
import { listBankApplications } from './idp.js';

export async function onboardedBank(world: TestWorld, users: string[] = []): Promise<OnboardBankResult> {
  const handle = await world.client.startOnboarding({
    bankGuid: randomGuid(),
    users: users.map((email) => ({ email })),
  });
  return handle.result();
}

/** The bank's current credential document, as its services read it. */
export async function currentCredential(world: TestWorld, bankGuid: string) {
  return readCredential(world.deps.secrets, bankCredentialSecretName(bankGuid));
}

/** The client ids the bank's readable stored versions belong to, with their stages. */
export async function storedClientIds(world: TestWorld, bankGuid: string) {
  return storedCredentials(world.deps.secrets, bankCredentialSecretName(bankGuid));
}

/** A new user's stored invite document (parsed, so a malformed one fails the test). */
export async function storedInvite(world: TestWorld, inviteRef: string): Promise<UserInviteDocument> {
  return UserInviteDocument.parse(JSON.parse((await world.deps.secrets.get(inviteRef)).value));
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
  const current = await currentCredential(world, bankGuid);
  assert.equal(current.clientId, clientId);
  assert.ok(await mintsToken(world, clientId, current.clientSecret), `${clientId} does not mint a token`);
}
