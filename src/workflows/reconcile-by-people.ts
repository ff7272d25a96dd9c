/**
 * A reconcile's writes when a person makes them (decideWrite says so) that onboarding has no task for: a
 * user's scopes changed, and a bank API key's name or allowlist changed in place. Each is one task, checked
 * by reading the IdP (with the board's backoff, at once on `provisioner tasks check`).
 */
import type { BankAction } from '../model/plan.js';
import type { ChangeBankApiKeyValues, ChangeUserScopesValues } from '../model/workflow-safe/tasks.js';
import { observeBanks, steps } from './activity-proxies.js';
import type { StatusTracker } from './status.js';
import type { TaskBoard, TaskTiming } from './tasks.js';

/** How many users a problem line names before "and N more". */
const USERS_NAMED = 5;

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

const list = (values: readonly string[]) => (values.length ? values.join(' ') : 'none');

type ScopeChange = Extract<BankAction, { kind: 'update-user-scopes' }>;

/**
 * One change-user-scopes task for `changes`, completed when the IdP lists each user with exactly its new
 * scopes (a list request per 100 users per check).
 */
export async function scopesChangedByPerson(
  changes: readonly ScopeChange[],
  board: TaskBoard,
  progress: StatusTracker,
  timing: TaskTiming,
): Promise<void> {
  const users: ChangeUserScopesValues['users'] = changes.map(({ email, guid, to }) => ({
    email,
    guid,
    allowedScopes: [...to],
  }));
  const look = async (): Promise<string | undefined> => {
    const seen = await steps().observeUsers.executeWithOptions(
      { summary: `Read the scopes of ${users.length} users a person changes` },
      [{ guids: users.map((u) => u.guid) }],
    );
    const byGuid = new Map(seen.map((u) => [u.guid, u]));
    const missing = users.flatMap((asked) => {
      const user = byGuid.get(asked.guid);
      if (!user) return [`${asked.email} (not listed by the IdP)`];
      if (user.allowedScopes !== null && sameSet(user.allowedScopes, asked.allowedScopes)) return [];
      return [`${asked.email} (scopes ${list(user.allowedScopes ?? [])})`];
    });
    progress.update({ users: { done: users.length - missing.length, total: users.length } });
    if (missing.length === 0) return undefined;
    const more = missing.length > USERS_NAMED ? `, and ${missing.length - USERS_NAMED} more` : '';
    return `${missing.length} of ${users.length} users not yet with the asked scopes: ${missing.slice(0, USERS_NAMED).join(', ')}${more}`;
  };

  progress.step('changing user scopes (a person changes them)');
  const task = await board.open('change-user-scopes', { users }, scopeInstructions(users), timing);
  await board.waitFor(task, look);
}

function scopeInstructions(users: ChangeUserScopesValues['users']): string {
  const listed = users
    .slice(0, USERS_NAMED)
    .map((u) => `${u.email} → ${list(u.allowedScopes)}`)
    .join(', ');
  const more = users.length > USERS_NAMED ? ` and ${users.length - USERS_NAMED} more (see values.users)` : '';
  return `In the Cybrid Partner Portal (Teams), give ${users.length} user${users.length === 1 ? '' : 's'} exactly these scopes (no more, no fewer): ${listed}${more}. The worker notices by reading the IdP; \`provisioner tasks check\` makes it look at once.`;
}

type KeyChange = Extract<BankAction, { kind: 'update-application' }>;

/**
 * One change-bank-api-key task: the key's name and allowlist as the manifest wants them, completed when a
 * read of the bank's keys shows them. See ChangeBankApiKeyValues for the guess this rests on.
 */
export async function keyChangedByPerson(
  bankGuid: string,
  change: KeyChange,
  current: { name: string; ipAllowlist: string[] },
  board: TaskBoard,
  progress: StatusTracker,
  timing: TaskTiming,
): Promise<void> {
  const asked: ChangeBankApiKeyValues = {
    bankGuid,
    clientId: change.clientId,
    name: change.name?.to ?? current.name,
    ipAllowlist: [...(change.ipAllowlist?.to ?? current.ipAllowlist)],
  };
  const look = async (): Promise<string | undefined> => {
    const [bank] = await observeBanks.executeWithOptions(
      { summary: `Read API key ${asked.clientId} a person edits` },
      [{ bankGuids: [bankGuid] }],
    );
    const app = bank!.applications.find((a) => a.clientId === asked.clientId);
    if (!app) return `bank ${bankGuid} has no API key ${asked.clientId} any more`;
    if (app.name !== asked.name) return `API key ${asked.clientId} is named "${app.name}"`;
    if (!sameSet(app.ipAllowlist, asked.ipAllowlist))
      return `API key ${asked.clientId} allows ${app.ipAllowlist.join(', ') || 'any address'}`;
    return undefined;
  };

  progress.step('changing the API key (a person edits it)');
  const task = await board.open('change-bank-api-key', asked, keyInstructions(asked), timing);
  await board.waitFor(task, look);
}

function keyInstructions({ bankGuid, clientId, name, ipAllowlist }: ChangeBankApiKeyValues): string {
  return (
    `In the Cybrid Partner Portal (Developers), edit the API key ${clientId} of bank ${bankGuid}: name exactly "${name}", ` +
    `IP allowlist exactly ${ipAllowlist.length ? ipAllowlist.join(', ') : 'empty (any address)'}. ` +
    'The worker notices by reading the IdP; `provisioner tasks check` makes it look at once.'
  );
}
