/**
 * Tasks for people over HTTP, end to end on today's IdP (the sandbox on 0.129.1425, assisted: a person makes
 * every write), the test acting as the person through the sandbox's Portal token: an onboarding started over
 * HTTP lists its task at `GET /v1/tasks`, a wrong secret is refused with the reason (422), the right key is
 * accepted (and again, the same), `tasks/check` finds the invited user, the onboarding finishes crediting
 * the API key's name and `by`; then the user is disabled by the person and confirmed with `tasks/{taskId}/done`
 * (once: a second time is `no-open-task`). No secret is in any answer, the API's log or the workflow's history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OnboardBankResult, PersonTask } from '../../src/model/contract.js';
import { bankWorkflowId } from '../../src/model/contract.js';
import type { CreateBankApiKeyValues, DisableUsersValues } from '../../src/model/workflow-safe/tasks.js';
import { randomGuid } from '../support/env.js';
import { assertNoneInHistories } from '../support/history.js';
import { portal } from '../support/portal.js';
import { assertProblem, createApiWorld, type ApiResponse, type ApiWorld } from './support.js';

/** The name of the caller's API key: who a completion without `by` is credited to. */
const KEY_NAME = 'portal desk';

describe('HTTP API: tasks for people (0.129.1425, assisted)', () => {
  let t: ApiWorld;
  let token: string;
  before(async () => {
    t = await createApiWorld({ contract: '0.129.1425', env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    token = await t.key(['onboard', 'disable-users', 'read', 'tasks'], KEY_NAME);
  });
  after(() => t?.close());

  const post = (path: string, body?: unknown) => t.request('POST', path, { token, body });
  const tasksOf = async (bankGuid: string) => {
    const response = await t.request('GET', `/v1/tasks?bankGuid=${bankGuid}`, { token });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return (response.body as { tasks: PersonTask[] }).tasks;
  };
  /** Asks until `answer` holds something other than `no-open-task` (the operation is between tasks). */
  const onceOpen = async (ask: () => Promise<ApiResponse>) => {
    for (let i = 0; i < 300; i++) {
      const response = await ask();
      if (response.status !== 409) return response;
      await sleep(100);
    }
    throw new Error('no task opened in 30 s');
  };

  it('lists the task, refuses a wrong secret with the reason, accepts the key, checks the users, confirms the disabled user', async () => {
    const bankGuid = randomGuid();
    const email = `api-${bankGuid.slice(0, 8)}@example.com`;
    const started = await t.request('POST', `/v1/banks/${bankGuid}/onboarding`, {
      token,
      body: { users: [{ email }] },
      headers: { 'idempotency-key': `tasks-${bankGuid}` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const location = started.headers.get('location')!;

    let tasks = await tasksOf(bankGuid);
    for (let i = 0; i < 300 && tasks.length === 0; i++) {
      await sleep(100);
      tasks = await tasksOf(bankGuid);
    }
    assert.equal(tasks.length, 1);
    const task = tasks[0]!;
    assert.equal(task.kind, 'create-bank-api-key');
    assert.equal(task.workflowId, bankWorkflowId(bankGuid));
    // Unfiltered, the list has it too (the same document `provisioner tasks --json` prints).
    const all = await t.request('GET', '/v1/tasks', { token });
    assert.ok((all.body as { tasks: PersonTask[] }).tasks.some((x) => x.taskId === task.taskId));

    const person = await portal(t.world);
    const key = await person.createKey(task.values as CreateBankApiKeyValues);

    const wrong = await post(`/v1/banks/${bankGuid}/credential`, {
      clientId: key.clientId,
      clientSecret: 'a-wrong-secret',
    });
    const refusal = assertProblem(wrong, 422, 'credential-refused');
    assert.match(String(refusal.detail), /^API key \S+ refused: the secret does not mint a token/);
    assert.equal(refusal.taskId, task.taskId);
    // The task stays open, showing why.
    const [still] = await tasksOf(bankGuid);
    assert.equal(still?.taskId, task.taskId);
    assert.match(still?.lastProblem ?? '', /does not mint a token/);

    // A key is checked by reading the IdP, never confirmed; a bank with nothing open has nothing to take.
    const notConfirmable = assertProblem(await post(`/v1/tasks/${task.taskId}/done`), 409, 'no-open-task');
    assert.match(String(notConfirmable.detail), /checked by reading the IdP, not confirmed/);
    const elsewhere = await post(`/v1/banks/${randomGuid()}/credential`, {
      clientId: key.clientId,
      clientSecret: key.secret,
    });
    assert.match(String(assertProblem(elsewhere, 409, 'no-open-task').detail), /nothing waits for a person/);

    const right = { clientId: key.clientId, clientSecret: key.secret };
    const accepted = await post(`/v1/banks/${bankGuid}/credential`, right);
    const expected = {
      accepted: true,
      taskId: task.taskId,
      clientId: key.clientId,
      secretRef: `local:banks/${bankGuid}/credential`,
    };
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual(accepted.body, expected);
    // Handed over again (a lost answer): the same answer, nothing more.
    assert.deepEqual((await post(`/v1/banks/${bankGuid}/credential`, right)).body, expected);

    await person.invite([{ email }]);
    const check = await onceOpen(() => post(`/v1/banks/${bankGuid}/tasks/check`, { by: 'Grace' }));
    assert.equal(check.status, 200, JSON.stringify(check.body));
    assert.deepEqual((check.body as { open: unknown[] }).open, []);

    let operation: { state: string; result?: OnboardBankResult } = { state: 'running' };
    for (let i = 0; i < 300 && operation.state === 'running'; i++) {
      await sleep(100);
      operation = (await t.request('GET', location, { token })).body as typeof operation;
    }
    assert.equal(operation.state, 'completed', JSON.stringify(operation));
    assert.equal(operation.result?.application.clientId, key.clientId);
    assert.deepEqual(
      operation.result?.tasks?.map((x) => [x.kind, x.by, x.evidence]),
      [
        ['create-bank-api-key', KEY_NAME, 'verified'],
        ['invite-users', 'Grace', 'verified'],
      ],
    );
    assert.deepEqual(await tasksOf(bankGuid), []);
    assertProblem(await post(`/v1/banks/${bankGuid}/tasks/check`), 409, 'no-open-task');

    assert.deepEqual(
      t
        .audit()
        .filter(
          (line) =>
            line.bankGuid === bankGuid &&
            ['onboardBank', 'submitCredential', 'checkTasks'].includes(String(line.operation)),
        )
        .map((line) => [line.operation, line.status]),
      [
        ['onboardBank', 202],
        ['submitCredential', 200],
        ['submitCredential', 200],
        ['checkTasks', 200],
      ],
    );
    for (const secret of [key.secret, 'a-wrong-secret']) {
      assert.equal(
        t.answers.some((answer) => answer.includes(secret)),
        false,
        'an answer holds a secret',
      );
      assert.equal(
        t.log.some((line) => line.includes(secret)),
        false,
        'the API logged a secret',
      );
    }
    // The user leaves: a person disables it in the Portal and confirms it over HTTP (no read can show it).
    const disabling = await t.request('POST', '/v1/user-disablements', {
      token,
      body: { users: [email], reason: 'left', bankGuid },
      headers: { 'idempotency-key': `disable-${bankGuid}` },
    });
    assert.equal(disabling.status, 202, JSON.stringify(disabling.body));
    let disableTask: PersonTask | undefined;
    for (let i = 0; i < 300 && !disableTask; i++) {
      await sleep(100);
      disableTask = (await tasksOf(bankGuid)).find((x) => x.kind === 'disable-users');
    }
    assert.ok(disableTask, 'no disable-users task');
    await person.disable((disableTask.values as DisableUsersValues).users);
    const confirmed = await post(`/v1/tasks/${disableTask.taskId}/done`);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.deepEqual(confirmed.body, { taskId: disableTask.taskId, evidence: 'confirmed' });
    assertProblem(await post(`/v1/tasks/${disableTask.taskId}/done`, { by: 'Ada' }), 409, 'no-open-task');
    let disabled: { state: string; result?: { tasks?: { kind: string; by: string; evidence: string }[] } } = {
      state: 'running',
    };
    for (let i = 0; i < 300 && disabled.state === 'running'; i++) {
      await sleep(100);
      disabled = (await t.request('GET', disabling.headers.get('location')!, { token }))
        .body as typeof disabled;
    }
    assert.equal(disabled.state, 'completed', JSON.stringify(disabled));
    assert.deepEqual(
      disabled.result?.tasks?.map((x) => [x.kind, x.by, x.evidence]),
      [['disable-users', KEY_NAME, 'confirmed']],
    );

    for (const answered of ['listTasks 200', 'submitCredential 200', 'checkTasks 200', 'confirmTask 200'])
      assert.ok(t.checker.seen.has(answered), `never saw ${answered}`);
    await assertNoneInHistories(
      [t.world.client.client.workflow.getHandle(bankWorkflowId(bankGuid))],
      [key.secret, 'a-wrong-secret'],
      t.world.deps.dataConverter,
    );
  });
});
