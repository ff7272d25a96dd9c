/**
 * Manifests on today's IdP (the sandbox on contract 0.129.1425, where API keys may only read), the test acting
 * as the person through the sandbox's Portal token: plan says which actions need a person; apply opens their
 * tasks (the key handed over, users invited, a key edited, scopes changed, a user disabled) and finishes once
 * the person has done them; drift works on reads alone and sends `credential.expiring`; the drift schedule starts
 * a rotation ahead of expiry that asks a person for the new key. The same apply in
 * `auto` mode with a write token source opens no task; in `automatic` mode without one it fails as before.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { DesiredStateClient, parseManifest } from '../../src/client/desired-state.js';
import { checkTasks, confirmTask, openTasks } from '../../src/client/tasks.js';
import { bankWorkflowId } from '../../src/model/contract.js';
import { statusQuery } from '../../src/model/workflow-safe/messages.js';
import type { ApplyManifestResult } from '../../src/model/desired-state.js';
import type { BankManifest, Manifest } from '../../src/model/manifest.js';
import type {
  ChangeBankApiKeyValues,
  ChangeUserScopesValues,
  CreateBankApiKeyValues,
  DeleteBankApiKeyValues,
  DisableUsersValues,
  InviteUsersValues,
} from '../../src/model/workflow-safe/tasks.js';
import type { CredentialExpiringData } from '../../src/model/webhook-event-schemas.js';
import { currentCredential, mintsToken } from '../support/banks.js';
import { runCli } from '../support/cli.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { assertNoneInHistories } from '../support/history.js';
import { subscribedReceiver, type WebhookReceiver } from '../support/receiver.js';
import { listBankApplications, listUsers, sandboxStats } from '../support/idp.js';
import { manifestOf } from '../support/manifests.js';
import { portal, taskOf, worldWithWriteTokenSource } from '../support/portal.js';

const TODAY = '0.129.1425';
const DAY = 86_400_000;

/** The start of the UTC day `days` from now: an expiry the Portal takes as it is. */
const dayFromNow = (days: number) => {
  const ms = Date.now() + days * DAY;
  return new Date(ms - (ms % DAY)).toISOString();
};

/** A bank with two users and an allowlist, its key expiring within the default 14-day notice. */
const bankOf = (bankGuid: string): BankManifest => ({
  bankGuid,
  application: { ipAllowlist: ['203.0.114.7/32'], expiresAt: dayFromNow(4) },
  users: [
    { email: `a-${bankGuid.slice(0, 8)}@example.com`, allowedScopes: ['banks:read'] },
    { email: `b-${bankGuid.slice(0, 8)}@example.com` },
  ],
});

describe('plan, apply and drift when a person writes (0.129.1425, assisted)', () => {
  let world: TestWorld;
  let desired: DesiredStateClient;
  let files: string;
  const secretsSeen: string[] = [];
  const handles: WorkflowHandle[] = [];
  let receiver: WebhookReceiver;

  before(async () => {
    world = await createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    receiver = await subscribedReceiver(world);
    await world.startWorker();
    desired = new DesiredStateClient(world.client);
    files = await mkdtemp(join(tmpdir(), 'provisioner-people-manifest-'));
  });
  after(async () => {
    await world?.close();
    await receiver?.close();
    await rm(files, { recursive: true, force: true });
  });

  const bankGuid = randomGuid();
  const first = parseManifest(manifestOf([bankOf(bankGuid)], { prune: true, confirmPrune: true }));
  const [a, b] = first.banks[0]!.users!;
  const c = { email: `c-${bankGuid.slice(0, 8)}@example.com` };
  /** The second manifest: another allowlist, a's scopes widened, b no longer named (prune), c added. */
  const second: Manifest = {
    ...first,
    banks: [
      {
        ...first.banks[0]!,
        application: { ...first.banks[0]!.application, ipAllowlist: ['203.0.114.8/32'] },
        users: [{ ...a!, allowedScopes: ['banks:read', 'users:read'] }, c],
      },
    ],
  };

  /**
   * `tasks check` until it has read the IdP for `taskId` and the answer shows `seen` (a check that comes
   * before the reconcile waits on the task it just opened reads nothing yet).
   */
  const checkUntil = async (
    taskId: string,
    by: string,
    seen: (task: { taskId: string; lastProblem?: string } | undefined) => boolean,
  ) => {
    for (let i = 0; i < 100; i++) {
      const answer = await checkTasks(world.client, bankGuid, by);
      if (seen(answer.open.find((t) => t.taskId === taskId))) return answer;
      await sleep(100);
    }
    throw new Error(`tasks check never showed what was expected of ${taskId}`);
  };
  const checkedDone = (taskId: string, by: string) => checkUntil(taskId, by, (task) => task === undefined);

  /** The bank's latest reconcile, by its run (the bank's workflow id is shared by its operations). */
  const reconcileRun = async () => {
    const { runId } = await world.client.client.workflow.getHandle(bankWorkflowId(bankGuid)).describe();
    return world.client.client.workflow.getHandle(bankWorkflowId(bankGuid), runId);
  };

  it('plan says each action needs a person, in JSON and in words, and writes nothing', async () => {
    const writes = (await sandboxStats(world)).writes;
    const plan = await desired.plan(first);
    assert.deepEqual(
      plan.banks[0]!.actions.map((action) => [action.kind, 'by' in action ? action.by : undefined]),
      [
        ['create-application', 'person'],
        ['create-user', 'person'],
        ['create-user', 'person'],
      ],
    );
    const file = join(files, 'first.json');
    await writeFile(file, JSON.stringify(first));
    const run = await runCli(['plan', '-f', file], { env: { ...process.env, ...world.env } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\+ create application .* \(needs a person in the Partner Portal\)/);
    assert.match(run.stdout, /\+ create user a-.* \(needs a person in the Partner Portal\)/);
    assert.match(
      run.stdout,
      /note: 3 actions need a person in the Partner Portal: apply opens a task for each/,
    );
    assert.equal((await sandboxStats(world)).writes, writes, 'plan wrote to the IdP');
  });

  it('apply opens the key and invite tasks; the person does them and apply finishes', async () => {
    const handle = await desired.startApply(first, await desired.plan(first));
    handles.push(handle);
    const person = await portal(world);
    secretsSeen.push(person.token);

    const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
    const asked = keyTask.values as CreateBankApiKeyValues;
    assert.deepEqual(
      [asked.bankGuid, asked.ipAllowlist, asked.expiresAt],
      [bankGuid, ['203.0.114.7/32'], first.banks[0]!.application!.expiresAt],
    );
    const key = await person.handOverKey(keyTask);
    secretsSeen.push(key.secret);
    assert.equal(key.answer.accepted, true);

    const inviteTask = await taskOf(world, bankGuid, 'invite-users');
    assert.deepEqual((inviteTask.values as InviteUsersValues).users, [a, b]);
    await person.invite([a!, b!]);
    await checkedDone(inviteTask.taskId, 'test operator');

    const result = await handle.result();
    handles.push(await reconcileRun());
    assert.deepEqual(result.summary, { applied: 1, busy: 0, failed: 0 });
    assert.deepEqual(
      result.banks[0]!.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [
        ['create-bank-api-key', 'test person', 'verified'],
        ['invite-users', 'test operator', 'verified'],
      ],
    );
    assert.ok(result.banks[0]!.actions!.every((action) => 'by' in action && action.by === 'person'));
    const credential = await currentCredential(world, bankGuid);
    assert.equal(credential.clientId, key.clientId);
    assert.ok(await mintsToken(world, credential.clientId, credential.clientSecret));
    assert.deepEqual((await world.deps.ledger.usersOf(bankGuid)).map((u) => u.email).sort(), [
      a!.email,
      b!.email,
    ]);
    assert.deepEqual((await desired.plan(first)).banks[0]!.actions, [], 'the IdP is as the manifest asks');
  });

  it('apply of changes: a key edited, a user invited, scopes changed (verified by reads), a user disabled (confirmed)', async () => {
    const plan = await desired.plan(second);
    assert.deepEqual(
      plan.banks[0]!.actions.map((action) => [action.kind, 'by' in action ? action.by : undefined]),
      [
        ['update-application', 'person'],
        ['update-user-scopes', 'person'],
        ['create-user', 'person'],
        ['disable-user', 'person'],
      ],
    );
    const handle = await desired.startApply(second, plan);
    handles.push(handle);
    const person = await portal(world);
    secretsSeen.push(person.token);
    const [key] = await listBankApplications(world, bankGuid);

    const keyTask = await taskOf(world, bankGuid, 'change-bank-api-key');
    const keyValues = keyTask.values as ChangeBankApiKeyValues;
    assert.deepEqual(keyValues, {
      bankGuid,
      clientId: key!.client_id,
      name: key!.name,
      ipAllowlist: ['203.0.114.8/32'],
    });
    assert.match(keyTask.instructions, /IP allowlist exactly 203\.0\.114\.8\/32/);
    const notYet = await checkUntil(keyTask.taskId, 'test operator', (task) => !!task?.lastProblem);
    assert.match(notYet.open[0]!.lastProblem!, /allows 203\.0\.114\.7\/32/, 'a read shows it undone');
    await person.editKey(keyValues);
    await checkedDone(keyTask.taskId, 'test person');

    const inviteTask = await taskOf(world, bankGuid, 'invite-users');
    assert.deepEqual((inviteTask.values as InviteUsersValues).users, [c]);
    await person.invite([c]);
    await checkedDone(inviteTask.taskId, 'test person');

    const scopeTask = await taskOf(world, bankGuid, 'change-user-scopes');
    const byEmail = new Map((await listUsers(world)).map((u) => [u.email, u]));
    const scopeValues = scopeTask.values as ChangeUserScopesValues;
    assert.deepEqual(scopeValues.users, [
      { email: a!.email, guid: byEmail.get(a!.email)!.guid, allowedScopes: ['banks:read', 'users:read'] },
    ]);
    assert.match(scopeTask.instructions, /exactly these scopes .*banks:read users:read/);
    // Only part of the set: not what was asked, so the task stays open and says why.
    await person.changeScopes([{ ...scopeValues.users[0]!, allowedScopes: ['users:read'] }]);
    const partial = await checkUntil(scopeTask.taskId, 'test person', (task) => !!task?.lastProblem);
    assert.deepEqual(
      partial.open.map((t) => t.taskId),
      [scopeTask.taskId],
    );
    assert.match(
      partial.open[0]!.lastProblem ?? '',
      /1 of 1 users not yet with the asked scopes: a-.* \(scopes users:read\)/,
    );
    await person.changeScopes(scopeValues.users);
    await checkedDone(scopeTask.taskId, 'test person');

    const disableTask = await taskOf(world, bankGuid, 'disable-users');
    const bGuid = byEmail.get(b!.email)!.guid;
    assert.deepEqual((disableTask.values as DisableUsersValues).users, [{ email: b!.email, guid: bGuid }]);
    await person.disable([{ email: b!.email, guid: bGuid }]);
    await confirmTask(world.client, disableTask.taskId, 'test person');

    const result = await handle.result();
    handles.push(await reconcileRun());
    assert.deepEqual(result.summary, { applied: 1, busy: 0, failed: 0 });
    assert.deepEqual(
      result.banks[0]!.tasks?.map((t) => [t.kind, t.by, t.evidence]),
      [
        ['change-bank-api-key', 'test person', 'verified'],
        ['invite-users', 'test person', 'verified'],
        ['change-user-scopes', 'test person', 'verified'],
        ['disable-users', 'test person', 'confirmed'],
      ],
    );
    const [edited] = await listBankApplications(world, bankGuid);
    assert.deepEqual(edited!.ip_allowlist, ['203.0.114.8/32']);
    const after = new Map((await listUsers(world)).map((u) => [u.email, u]));
    assert.deepEqual(after.get(a!.email)!.allowed_scopes?.slice().sort(), ['banks:read', 'users:read']);
    assert.ok(await person.disabledAt(bGuid), 'the person disabled b');
    assert.deepEqual(await openTasks(world.client, { bankGuid }), []);
    assert.deepEqual((await desired.plan(second)).banks[0]!.actions, [], 'the IdP is as the manifest asks');
    await assertNoneInHistories(handles, secretsSeen, world.client.client.options.loadedDataConverter);
  });

  it('drift reads alone (no write), and sends credential.expiring for the key within its window', async () => {
    const writes = (await sandboxStats(world)).writes;
    const report = await desired.drift(second);
    assert.equal((await sandboxStats(world)).writes, writes, 'drift wrote to the IdP');
    const [key] = await listBankApplications(world, bankGuid);
    assert.deepEqual(report.banks[0]?.findings, [
      { kind: 'credential-expiring', clientId: key!.client_id, expiresAt: key!.expires_at! },
    ]);
    const expiring = async () => {
      for (let i = 0; i < 300; i++) {
        const event = receiver.bodies
          .map((body) => JSON.parse(body) as { type: string; data: CredentialExpiringData })
          .find((e) => e.type === 'credential.expiring' && e.data.bankGuid === bankGuid);
        if (event) return event.data;
        await sleep(100);
      }
      throw new Error('no credential.expiring event');
    };
    const data = await expiring();
    assert.deepEqual(
      { ...data, expiresInMs: undefined },
      {
        manifest: second.name,
        bankGuid,
        clientId: key!.client_id,
        expiresAt: key!.expires_at!,
        expiresInMs: undefined,
        rotationStarted: false,
      },
    );
    assert.ok(data.expiresInMs > 3 * DAY && data.expiresInMs <= 4 * DAY, `${data.expiresInMs} ms left`);
    for (const body of receiver.bodies)
      for (const secret of secretsSeen)
        assert.equal(body.includes(secret), false, 'a webhook body holds a secret');
  });

  it('a scheduled drift check starts the rotation ahead of expiry (beforeExpiry), and it asks a person for the new key', async () => {
    const due: Manifest = {
      ...second,
      drift: { every: '1d', reconcile: false },
      banks: [{ ...second.banks[0]!, rotation: { beforeExpiry: '7d' } }],
    };
    const before = await currentCredential(world, bankGuid);
    // What the drift schedule runs (`act`: it starts what renews an expiring credential).
    await world.client.client.workflow.execute('driftCheck', {
      workflowId: `drift-check-${randomGuid()}`,
      taskQueue: world.taskQueue,
      args: [{ manifest: due, act: true }],
    });
    const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
    assert.equal(keyTask.workflowId, bankWorkflowId(bankGuid));
    const rotation = world.client.client.workflow.getHandle(bankWorkflowId(bankGuid));
    assert.equal((await rotation.describe()).type, 'rotateBankCredentials');
    for (let i = 0; i < 300; i++) {
      const started = receiver.bodies
        .map((body) => JSON.parse(body) as { type: string; data: CredentialExpiringData })
        .some(
          (e) => e.type === 'credential.expiring' && e.data.bankGuid === bankGuid && e.data.rotationStarted,
        );
      if (started) break;
      assert.ok(i < 299, 'no credential.expiring saying the rotation started');
      await sleep(100);
    }
    // Nobody has handed a key over yet: cancelled now, the rotation leaves the bank's credential as it was.
    await rotation.cancel();
    await rotation.result().catch(() => undefined);
    assert.equal((await currentCredential(world, bankGuid)).clientId, before.clientId);
    assert.deepEqual(await openTasks(world.client, { bankGuid }), []);
  });

  it('apply of a new expiry: the rotation opens its tasks with the reconcile’s, and a person finishes it', async () => {
    const third: Manifest = {
      ...second,
      banks: [
        {
          ...second.banks[0]!,
          application: { ...second.banks[0]!.application, expiresAt: dayFromNow(60) },
        },
      ],
    };
    const plan = await desired.plan(third);
    assert.deepEqual(
      plan.banks[0]!.actions.map((action) => [action.kind, 'by' in action ? action.by : undefined]),
      [['rotate-credential', 'person']],
    );
    const previous = await currentCredential(world, bankGuid);
    const handle = await desired.startApply(third, plan);
    handles.push(handle);
    const person = await portal(world);
    secretsSeen.push(person.token);

    const keyTask = await taskOf(world, bankGuid, 'create-bank-api-key');
    const key = await person.handOverKey(keyTask);
    secretsSeen.push(key.secret);
    assert.equal(key.answer.accepted, true);
    // The grace period (24 h) ends early, as an operator ends it once the bank's consumers have switched.
    for (let i = 0; ; i++) {
      try {
        await world.client.completeRotation(bankGuid);
        break;
      } catch (err) {
        // Refused until the rotation waits for consumers to switch.
        if (i === 100) throw err;
        await sleep(100);
      }
    }
    const deleteTask = await taskOf(world, bankGuid, 'delete-bank-api-key');
    assert.equal((deleteTask.values as DeleteBankApiKeyValues).clientId, previous.clientId);
    await person.deleteKey(deleteTask.values as DeleteBankApiKeyValues);
    await checkedDone(deleteTask.taskId, 'test operator');

    const result = await handle.result();
    const reconcile = await reconcileRun();
    handles.push(reconcile);
    assert.deepEqual(result.summary, { applied: 1, busy: 0, failed: 0 });
    // The rotation's tasks are the reconcile's: its status lists them, each with its own id.
    const tasks = (await reconcile.query(statusQuery)).tasks ?? [];
    assert.deepEqual(
      tasks.map((t) => [t.kind, t.state]),
      [
        ['create-bank-api-key', 'completed'],
        ['delete-bank-api-key', 'completed'],
      ],
    );
    assert.equal(new Set(tasks.map((t) => t.taskId)).size, 2);
    const credential = await currentCredential(world, bankGuid);
    assert.equal(credential.clientId, key.clientId);
    assert.ok(await mintsToken(world, credential.clientId, credential.clientSecret));
    assert.deepEqual(
      (await listBankApplications(world, bankGuid)).map((app) => app.client_id),
      [key.clientId],
      'the old key is gone',
    );
  });
});

for (const world of [
  {
    mode: 'auto mode with a write token source',
    open: worldWithWriteTokenSource,
    /** Applies as when the worker's token may write: every action made, no task. */
    async expect(result: ApplyManifestResult, bankGuid: string, manifest: Manifest, on: TestWorld) {
      assert.deepEqual(result.summary, { applied: 1, busy: 0, failed: 0 });
      assert.equal(result.banks[0]!.tasks, undefined, 'no task for a person');
      const credential = await currentCredential(on, bankGuid);
      assert.ok(await mintsToken(on, credential.clientId, credential.clientSecret));
      const users = new Set((await listUsers(on)).map((u) => u.email));
      assert.ok(manifest.banks[0]!.users!.every((u) => users.has(u.email)));
      assert.deepEqual((await new DesiredStateClient(on.client).plan(manifest)).banks[0]!.actions, []);
    },
  },
  {
    mode: 'automatic mode without a write token source',
    open: () => createTestWorld({ contract: TODAY, env: { PROVISIONER_WRITE_MODE: 'automatic' } }),
    /** Fails at the first write, as before the IdP changed, with no task. */
    async expect(result: ApplyManifestResult, bankGuid: string, _manifest: Manifest, on: TestWorld) {
      assert.deepEqual(result.summary, { applied: 0, busy: 0, failed: 1 });
      assert.match(result.banks[0]!.error!, /IdpWriteNotPermitted/);
      assert.deepEqual(await openTasks(on.client, { bankGuid }), []);
    },
  },
])
  describe(`the same apply in ${world.mode} (0.129.1425)`, () => {
    let on: TestWorld;
    before(async () => {
      on = await world.open();
      await on.startWorker();
    });
    after(() => on?.close());

    it('plan says the worker makes every action, and apply does as the mode says', async () => {
      const desired = new DesiredStateClient(on.client);
      const bankGuid = randomGuid();
      const manifest = parseManifest(manifestOf([bankOf(bankGuid)]));
      const plan = await desired.plan(manifest);
      assert.ok(plan.banks[0]!.actions.every((action) => 'by' in action && action.by === 'worker'));
      await world.expect(await (await desired.startApply(manifest, plan)).result(), bankGuid, manifest, on);
    });
  });
