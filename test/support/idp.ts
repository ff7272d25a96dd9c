/** Looks at the sandbox's state through the real IdP client with the organization credentials. */
import type { SandboxStats } from '../../src/dev/sandbox/context.js';
import type { Application, User } from '../../src/model/idp-schemas.js';
import type { TestWorld } from './env.js';

export async function listBankApplications(world: TestWorld, bankGuid: string): Promise<Application[]> {
  const apps: Application[] = [];
  for await (const app of world.deps.activityDeps.idp.listAllBankApplications({ bankGuid })) apps.push(app);
  return apps;
}

export async function listUsers(world: TestWorld): Promise<User[]> {
  const users: User[] = [];
  for await (const user of world.deps.activityDeps.idp.listAllUsers({})) users.push(user);
  return users;
}

export async function sandboxStats(world: TestWorld): Promise<SandboxStats> {
  const response = await fetch(`${world.sandbox.url}/__sandbox/stats`);
  return (await response.json()) as SandboxStats;
}

/**
 * Users the IdP will refuse for good when an onboarding asks for their scopes: disabled users cannot be
 * updated (the sandbox answers 422).
 */
export async function usersRefusingScopes(world: TestWorld, emails: readonly string[]): Promise<void> {
  const { idp } = world.deps.activityDeps;
  await Promise.all(emails.map(async (email) => idp.disableUser((await idp.createUser({ email })).guid)));
}
