/**
 * The commands of people's tasks against a worker on today's IdP (the sandbox on 0.129.1425, assisted):
 * `tasks --json` lists the open task, `credential submit` hands over the key (secret from standard input,
 * or a file) and says why it refuses one, `tasks check` finds the invited user, `tasks done` refuses a task
 * a read verifies and confirms the disable-users task of a `disable-user --task-deadline` (then answers a second confirmation). No secret
 * appears in any output.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { BankStatus } from '../../src/api/schemas.js';
import type { PersonTask } from '../../src/model/contract.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import type { CreateBankApiKeyValues } from '../../src/model/workflow-safe/tasks.js';
import type { disableUsers } from '../../src/workflows/index.js';
import { runCli, type CliRun } from '../support/cli.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';

describe('provisioner tasks and credential submit (0.129.1425, assisted)', () => {
  let world: TestWorld;
  let files: string;
  before(async () => {
    world = await createTestWorld({ contract: '0.129.1425', env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    await world.startWorker();
    files = await mkdtemp(join(tmpdir(), 'provisioner-tasks-'));
  });
  after(async () => {
    await world?.close();
    await rm(files, { recursive: true, force: true });
  });

  const cli = (args: string[], input?: string) =>
    runCli(args, { env: { ...process.env, ...world.env }, input });
  const ok = async (args: string[], input?: string) => {
    const run = await cli(args, input);
    assert.equal(run.code, 0, `provisioner ${args.join(' ')} failed: ${run.stderr}`);
    return run;
  };
  const portalWrite = async (path: string, body: unknown) => {
    const token = (await (
      await fetch(`${world.sandbox.url}/__sandbox/portal-token`, { method: 'POST' })
    ).json()) as {
      access_token: string;
    };
    const response = await fetch(`${world.sandbox.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, string>;
  };

  it('lists the task, refuses a wrong secret, accepts the key, then checks the invited user', async () => {
    const bankGuid = randomGuid();
    const email = `cli-${bankGuid.slice(0, 8)}@example.com`;
    const handle = await world.client.startOnboarding({ bankGuid, users: [{ email }] });

    const listed = async () =>
      (JSON.parse((await ok(['tasks', '--bank', bankGuid, '--json'])).stdout) as { tasks: PersonTask[] })
        .tasks;
    let tasks = await listed();
    for (let i = 0; i < 100 && tasks.length === 0; i++) {
      await sleep(100);
      tasks = await listed();
    }
    assert.equal(tasks.length, 1);
    const [task] = tasks;
    assert.equal(task!.kind, 'create-bank-api-key');
    assert.equal(task!.workflowId, `bank-${bankGuid}`);
    const asked = task!.values as CreateBankApiKeyValues;
    const text = await ok(['tasks', '--bank', bankGuid]);
    assert.match(text.stdout, new RegExp(`${task!.taskId}  create-bank-api-key  bank ${bankGuid}`));

    const key = await portalWrite('/api/bank_applications', {
      name: asked.name,
      bank_guid: bankGuid,
      ip_allowlist: asked.ipAllowlist,
      expires_at: asked.expiresAt,
    });
    const runs: CliRun[] = [];
    const refused = await cli(
      ['credential', 'submit', bankGuid, '--client-id', key.client_id!],
      'a-wrong-secret\n',
    );
    runs.push(refused);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^provisioner: API key \w+ refused: the secret does not mint a token/);

    // `tasks done` is for what no read can show.
    const notConfirmable = await cli(['tasks', 'done', task!.taskId, '--by', 'someone']);
    runs.push(notConfirmable);
    assert.equal(notConfirmable.code, 1);
    assert.match(notConfirmable.stderr, /is checked by reading the IdP, not confirmed/);

    const secretFile = join(files, 'secret');
    await writeFile(secretFile, `${key.secret}\n`);
    const accepted = await ok([
      'credential',
      'submit',
      bankGuid,
      '--client-id',
      key.client_id!,
      '--secret-file',
      secretFile,
      '--by',
      'Ada',
      '--json',
    ]);
    runs.push(accepted);
    assert.deepEqual(JSON.parse(accepted.stdout), {
      accepted: true,
      taskId: task!.taskId,
      clientId: key.client_id,
      secretRef: `local:banks/${bankGuid}/credential`,
    });

    // The invite task opens right after the key is accepted; the person invites the user once it is open.
    const inviteOpen = async () =>
      (await handle.query(statusQuery)).tasks?.some((t) => t.kind === 'invite-users' && t.state === 'open');
    for (let i = 0; i < 200 && !(await inviteOpen()); i++) await sleep(50);
    await portalWrite('/api/users', { email });
    const check = await cli(['tasks', 'check', bankGuid, '--by', 'Grace', '--json']);
    runs.push(check);
    assert.equal(check.code, 0, check.stderr);
    assert.deepEqual((JSON.parse(check.stdout) as { open: unknown[] }).open, []);

    const result = await handle.result();
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by]),
      [
        ['create-bank-api-key', 'Ada'],
        ['invite-users', 'Grace'],
      ],
    );
    assert.deepEqual(JSON.parse((await ok(['tasks', '--json'])).stdout), { tasks: [] });
    const none = await cli(['credential', 'submit', bankGuid, '--client-id', key.client_id!], key.secret);
    runs.push(none);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /nothing waits for a person/);
    for (const run of runs) {
      assert.equal(run.stdout.includes(key.secret!), false, 'a command printed the secret');
      assert.equal(run.stderr.includes(key.secret!), false, 'a command printed the secret');
    }
  });

  it('tasks done confirms the disable-users task; done again, or of no task, says so', async () => {
    const bankGuid = randomGuid();
    const email = `cli-gone-${bankGuid.slice(0, 8)}@example.com`;
    const user = await portalWrite('/api/users', { email });
    const started = JSON.parse(
      (
        await ok([
          'disable-user',
          email,
          '--bank',
          bankGuid,
          '--reason',
          'left',
          '--task-deadline',
          '3d',
          '--task-reminder',
          '6h',
          '--json',
        ])
      ).stdout,
    ) as { workflowId: string; runId: string };
    const handle = world.client.client.workflow.getHandle<typeof disableUsers>(started.workflowId);
    let tasks: PersonTask[] = [];
    for (let i = 0; i < 100 && tasks.length === 0; i++) {
      tasks = (
        JSON.parse((await ok(['tasks', '--bank', bankGuid, '--json'])).stdout) as { tasks: PersonTask[] }
      ).tasks;
      if (tasks.length === 0) await sleep(100);
    }
    const [task] = tasks;
    assert.equal(task?.kind, 'disable-users');
    assert.deepEqual(task.values, { users: [{ email, guid: user.guid }] });
    assert.equal(
      Date.parse(task.deadline) - Date.parse(task.requestedAt),
      3 * 86_400_000,
      '--task-deadline 3d',
    );

    const unknown = await cli(['tasks', 'done', `${handle.workflowId}~7`, '--by', 'Ada']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /has no task .*~7/);
    const done = await ok(['tasks', 'done', task.taskId, '--by', 'Ada']);
    assert.equal(done.stdout, `${task.taskId}: confirmed by Ada\n`);
    const result = await handle.result();
    assert.deepEqual(
      result.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [['disable-users', 'Ada', 'confirmed']],
    );
    const status = JSON.parse((await ok(['status', bankGuid, '--json'])).stdout) as BankStatus;
    assert.deepEqual(
      status.taskCompletions.map((c) => [c.taskId, c.kind, c.by, c.evidence, c.at]),
      [[task.taskId, 'disable-users', 'Ada', 'confirmed', result.tasks[0]!.at]],
      'the ledger records who completed it',
    );
    const again = await cli(['tasks', 'done', task.taskId, '--by', 'Ada']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /nothing waits for a person/);
  });
});
