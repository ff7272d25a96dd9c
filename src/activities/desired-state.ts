/**
 * Activities of the desired state. The observing ones only read (the IdP, the secret store, the ledger), so
 * plans and drift reports never write; they list per bank (a bank's applications by bank_guid) and walk the
 * organization's users once per plan, never per user. The rest are the two writes a reconcile needs beside
 * the onboarding and rotation activities: a PATCH of the application, and the ledger's note of the users a
 * prune disabled.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import pLimit from 'p-limit';
import { applicationFailureUnlessCancelled } from '../idp/errors.js';
import { PAGE_SIZE } from '../idp/paginate.js';
import type { User } from '../model/idp-schemas.js';
import type { ObservedApplication, ObservedBank, ObservedUser, UnmanagedUsers } from '../model/plan.js';
import { bankCredentialSecretName } from '../model/secret-names.js';
import { storedCredentials } from './credential-documents.js';
import type { ActivityDeps } from './deps.js';

/** How many users a report names; the count says how many more there are. */
const SAMPLE_SIZE = 20;

/** The IdP's `disabled_at`, which only some IdPs (the sandbox) send: the IdP's User has no such field. */
const disabledInIdp = (user: User) => typeof user.disabled_at === 'string';

const observedUser = (user: User): ObservedUser => ({
  guid: user.guid,
  email: user.email,
  allowedScopes: user.allowed_scopes ?? null,
  disabled: disabledInIdp(user),
});

export function desiredStateActivities({ idp, secrets, ledger, userConcurrency }: ActivityDeps) {
  const signal = cancellationSignal;

  async function observeBank(bankGuid: string): Promise<ObservedBank> {
    const applications: ObservedApplication[] = [];
    for await (const app of idp.listAllBankApplications({ bankGuid }, { signal: signal() })) {
      applications.push({
        clientId: app.client_id,
        name: app.name,
        ipAllowlist: app.ip_allowlist,
        createdAt: app.created_at,
        ...(app.expires_at ? { expiresAt: app.expires_at } : {}),
      });
    }
    const credentials = (await storedCredentials(secrets, bankCredentialSecretName(bankGuid))).map(
      ({ clientId, stage, applicationName, createdAt, expiresAt }) => ({
        clientId,
        stage: stage as ObservedBank['credentials'][number]['stage'],
        applicationName,
        createdAt,
        ...(expiresAt ? { expiresAt } : {}),
      }),
    );
    const disabled = new Set(await ledger.disabledUsersOf(bankGuid));
    const recordedUsers = (await ledger.usersOf(bankGuid)).map((u) => ({
      ...u,
      disabled: disabled.has(u.guid),
    }));
    return { bankGuid, applications, credentials, recordedUsers };
  }

  /** Each bank's applications (one list per bank), stored credentials and recorded users; a heartbeat per bank. */
  async function observeBanks(input: { bankGuids: string[] }): Promise<ObservedBank[]> {
    const limit = pLimit(userConcurrency);
    try {
      return await Promise.all(
        input.bankGuids.map((bankGuid) =>
          limit(async () => {
            const observed = await observeBank(bankGuid);
            heartbeat();
            return observed;
          }),
        ),
      );
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * Walks the organization's users once: returns those the manifest names (`emails`, lowercase) or the
   * ledger records for its banks (`guids`), and counts the active users that neither names nor the ledger
   * records for any bank. Pages after the first are fetched concurrently, a heartbeat per page.
   */
  async function observeOrganizationUsers(input: {
    emails: string[];
    guids: string[];
  }): Promise<{ users: ObservedUser[]; unmanaged: UnmanagedUsers }> {
    const emails = new Set(input.emails);
    const guids = new Set(input.guids);
    try {
      const recorded = new Set(await ledger.recordedUserGuids());
      const users: ObservedUser[] = [];
      const unmanaged: UnmanagedUsers = { count: 0, sample: [] };
      const take = (page: User[]) => {
        for (const user of page) {
          if (emails.has(user.email.toLowerCase()) || guids.has(user.guid)) users.push(observedUser(user));
          else if (!recorded.has(user.guid) && !disabledInIdp(user)) {
            unmanaged.count++;
            if (unmanaged.sample.length < SAMPLE_SIZE) unmanaged.sample.push(user.email);
          }
        }
        heartbeat();
      };
      const first = await idp.listUsers({ page: 0, perPage: PAGE_SIZE }, { signal: signal() });
      take(first.objects);
      const pages = Math.ceil(first.total / PAGE_SIZE);
      const limit = pLimit(userConcurrency);
      await Promise.all(
        Array.from({ length: Math.max(0, pages - 1) }, (_, i) =>
          limit(async () =>
            take((await idp.listUsers({ page: i + 1, perPage: PAGE_SIZE }, { signal: signal() })).objects),
          ),
        ),
      );
      unmanaged.sample.sort();
      return { users, unmanaged };
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** The users the ledger records for a bank, as the IdP has them now (a list request per 100 guids). */
  async function observeUsers(input: { guids: string[] }): Promise<ObservedUser[]> {
    const users: ObservedUser[] = [];
    try {
      for (let start = 0; start < input.guids.length; start += PAGE_SIZE) {
        const guids = input.guids.slice(start, start + PAGE_SIZE);
        const page = await idp.listUsers({ guids, perPage: PAGE_SIZE }, { signal: signal() });
        users.push(...page.objects.map(observedUser));
      }
      return users;
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** Changes the application's name or IP allowlist in place (PATCH sets them; running it twice is harmless). */
  async function updateBankApplication(input: {
    clientId: string;
    name?: string;
    ipAllowlist?: string[];
  }): Promise<void> {
    try {
      await idp.updateBankApplication(
        input.clientId,
        { name: input.name, ip_allowlist: input.ipAllowlist },
        { signal: signal() },
      );
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** Notes in the ledger the users a prune disabled, so later plans know (the IdP may not say). */
  async function recordDisabledUsers(input: { bankGuid: string; guids: string[] }): Promise<void> {
    await ledger.recordDisabled(input.bankGuid, input.guids, new Date().toISOString());
  }

  return {
    observeBanks,
    observeOrganizationUsers,
    observeUsers,
    updateBankApplication,
    recordDisabledUsers,
  };
}
