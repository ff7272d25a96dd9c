/**
 * The person of today's IdP: signed in to the sandbox's Partner Portal (a Portal token from
 * `POST /__sandbox/portal-token`), making through the sandbox's /api the writes a task asks for.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTasks, submitCredential } from '../../src/client/tasks.js';
import type { PersonTask } from '../../src/model/contract.js';
import type {
  ChangeBankApiKeyValues,
  ChangeUserScopesValues,
  CreateBankApiKeyValues,
  DeleteBankApiKeyValues,
  DisableUsersValues,
  InviteUsersValues,
} from '../../src/model/workflow-safe/tasks.js';
import { startSandbox } from '../../src/dev/sandbox/index.js';
import { portalTokenCommandOf } from '../../src/dev/run-dev.js';
import { createTestWorld, type TestWorld } from './env.js';

/** The person, signed in to the sandbox's Partner Portal: writes through the sandbox's /api. */
export async function portal(world: TestWorld) {
  const response = await fetch(`${world.sandbox.url}/__sandbox/portal-token`, { method: 'POST' });
  const { access_token: token } = (await response.json()) as { access_token: string };
  const send = async (method: string, path: string, body?: unknown) => {
    const answer = await fetch(`${world.sandbox.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(answer.ok, `the Portal's ${method} ${path} answered ${answer.status}`);
    return answer;
  };
  const write = async (path: string, body: unknown) =>
    (await (await send('POST', path, body)).json()) as Record<string, unknown>;
  const createKey = async (values: CreateBankApiKeyValues) => {
    const app = await write('/api/bank_applications', {
      name: values.name,
      bank_guid: values.bankGuid,
      ip_allowlist: values.ipAllowlist,
      expires_at: values.expiresAt,
    });
    return { clientId: app.client_id as string, secret: app.secret as string };
  };
  return {
    token,
    createKey,
    /** Creates the key a create-bank-api-key task asks for and hands it over (`credential submit`) as `by`. */
    async handOverKey(task: PersonTask, by = 'test person') {
      const key = await createKey(task.values as CreateBankApiKeyValues);
      const answer = await submitCredential(world.client, world.deps.secrets, task.bankGuid, {
        clientId: key.clientId,
        clientSecret: key.secret,
        by,
      });
      return { ...key, answer };
    },
    /** Deletes a bank API key, by its guid as the Portal does. */
    async deleteKey({ guid }: DeleteBankApiKeyValues) {
      await send('DELETE', `/api/bank_applications/${guid}`);
    },
    async invite(users: InviteUsersValues['users']) {
      for (const { email, allowedScopes } of users)
        await write('/api/users', { email, ...(allowedScopes ? { allowed_scopes: allowedScopes } : {}) });
    },
    /** Invites one user and answers its guid. */
    async inviteOne(email: string) {
      return (await write('/api/users', { email })).guid as string;
    },
    /** Gives each user exactly its asked scopes (a change-user-scopes task). */
    async changeScopes(users: ChangeUserScopesValues['users']) {
      for (const { guid, allowedScopes } of users)
        await send('PATCH', `/api/users/${guid}`, { allowed_scopes: allowedScopes });
    },
    /** Edits a key's name and allowlist in place (a change-bank-api-key task). */
    async editKey(values: ChangeBankApiKeyValues) {
      await send('PATCH', `/api/bank_applications/${values.clientId}`, {
        name: values.name,
        ip_allowlist: values.ipAllowlist,
      });
    },
    async disable(users: DisableUsersValues['users']) {
      for (const { guid } of users) await send('DELETE', `/api/users/${guid}`);
    },
    /** When the sandbox disabled the user (its own field: the IdP's User has no state), or null. */
    async disabledAt(guid: string) {
      const user = (await (await send('GET', `/api/users/${guid}`)).json()) as { disabled_at: string | null };
      return user.disabled_at;
    },
  };
}

/** The bank's open task of `kind`, once the operation has opened it. */
export async function taskOf(
  world: TestWorld,
  bankGuid: string,
  kind: PersonTask['kind'],
): Promise<PersonTask> {
  for (let i = 0; i < 300; i++) {
    const task = (await openTasks(world.client, { bankGuid })).find((t) => t.kind === kind);
    if (task) return task;
    await sleep(100);
  }
  throw new Error(`no open ${kind} task for bank ${bankGuid}`);
}

/** The bank's `count` open tasks of `kind`, once the operation has opened them. */
export async function tasksOf(
  world: TestWorld,
  bankGuid: string,
  kind: PersonTask['kind'],
  count: number,
): Promise<PersonTask[]> {
  for (let i = 0; i < 300; i++) {
    const tasks = (await openTasks(world.client, { bankGuid })).filter((t) => t.kind === kind);
    if (tasks.length >= count) return tasks;
    await sleep(100);
  }
  throw new Error(`fewer than ${count} open ${kind} tasks for bank ${bankGuid}`);
}

/**
 * A world on today's contract whose worker writes with the write token source `provisioner dev` gives its
 * worker (the sandbox's Portal token); `close` stops its sandbox too.
 */
export async function worldWithWriteTokenSource(): Promise<TestWorld> {
  const sandbox = await startSandbox({ database: ':memory:', contract: '0.129.1425' });
  const world = await createTestWorld({
    sandbox,
    env: { CYBRID_IDP_WRITE_TOKEN_COMMAND: portalTokenCommandOf(sandbox.url) },
  });
  return {
    ...world,
    close: async () => {
      await world.close();
      await sandbox.close();
    },
  };
}
