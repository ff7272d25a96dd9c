/**
 * The HTTP API end to end over real HTTP (dev server, sandbox, worker): every route's happy path, each answer
 * checked against the OpenAPI document the API serves, which itself passes the OpenAPI 3.1 schema validator.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { readCredential } from '../../src/activities/credential-documents.js';
import { storedInvite } from '../support/banks.js';
import { randomGuid } from '../support/env.js';
import { assertProblem, createApiWorld, send, type ApiWorld } from './support.js';

type Operation = {
  state: string;
  operation: string;
  result?: Record<string, unknown>;
  progress?: { step: string };
};

describe('HTTP API: every route', () => {
  let t: ApiWorld;
  let token: string;
  before(async () => {
    t = await createApiWorld();
    token = await t.key(['onboard', 'rotate', 'revoke', 'offboard', 'disable-users', 'read']);
  });
  after(() => t?.close());

  let keyCounter = 0;
  const start = async (path: string, body: unknown) => {
    const response = await t.request('POST', path, {
      token,
      body,
      headers: { 'idempotency-key': `key-${++keyCounter}` },
    });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    const location = response.headers.get('location')!;
    assert.equal(location, `/v1/operations/${(response.body as { operationId: string }).operationId}`);
    return location;
  };
  const until = async (location: string, done: (op: Operation) => boolean): Promise<Operation> => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
      const response = await t.request('GET', location, { token });
      assert.equal(response.status, 200);
      const op = response.body as Operation;
      if (done(op)) return op;
    }
    throw new Error(`${location} did not get there in 60 s`);
  };
  const finished = (location: string) => until(location, (op) => op.state !== 'running');

  it('serves an OpenAPI 3.1 document that passes the schema validator, and a reference page', async () => {
    const validator = new Validator();
    const verdict = await validator.validate(t.checker.document);
    assert.deepEqual(verdict.errors, undefined);
    assert.equal(verdict.valid, true);
    assert.equal(validator.version, '3.1');
    const page = await send(t.api.url, 'GET', '/docs');
    assert.equal(page.status, 200);
    for (const anchor of ['op-onboardBank', 'op-getOperation', 'problem-bank-busy', 'event-bank.onboarded']) {
      assert.match(String(page.body), new RegExp(`id="${anchor}"`));
    }
  });

  it('onboards, reads, rotates and completes the rotation, revokes, offboards and disables users', async () => {
    const bankGuid = randomGuid();
    const onboarding = await finished(
      await start(`/v1/banks/${bankGuid}/onboarding`, { users: [{ email: 'api-user@example.com' }] }),
    );
    assert.equal(onboarding.state, 'completed', JSON.stringify(onboarding));
    const application = onboarding.result!.application as { secretRef: string; clientId: string };
    assert.equal(application.secretRef, `local:${bankCredentialSecretName(bankGuid)}`);
    const user = (onboarding.result!.users as { inviteRef: string }[])[0]!;
    const invite = await storedInvite(t.world, user.inviteRef);
    const credential = await readCredential(t.world.deps.secrets, bankCredentialSecretName(bankGuid));

    const status = await t.request('GET', `/v1/banks/${bankGuid}`, { token });
    assert.equal((status.body as { latest: Operation }).latest.operation, 'onboardBank');
    // The worker made every write: no task waited for a person.
    const tasks = await t.request('GET', `/v1/tasks?bankGuid=${bankGuid}`, { token });
    assert.deepEqual(tasks.body, { tasks: [] });

    const rotation = await start(`/v1/banks/${bankGuid}/rotation`, { gracePeriod: '1h' });
    await until(rotation, (op) => op.progress?.step.startsWith('waiting') ?? false);
    const completion = await t.request('POST', `/v1/banks/${bankGuid}/rotation/completion`, { token });
    assert.deepEqual(completion.body, { bankGuid, accepted: true });
    const rotated = await finished(rotation);
    assert.equal(rotated.result!.completedBy, 'operator');
    assertProblem(
      await t.request('POST', `/v1/banks/${bankGuid}/rotation/completion`, { token }),
      404,
      'not-found',
    );

    const revoked = await finished(await start(`/v1/banks/${bankGuid}/revocation`, { reason: 'test' }));
    assert.deepEqual(revoked.result!.revokedClientIds, [rotated.result!.clientId]);
    const offboarded = await finished(await start(`/v1/banks/${bankGuid}/offboarding`, { reason: 'test' }));
    assert.equal(offboarded.state, 'completed');
    const disabled = await finished(
      await start('/v1/user-disablements', { users: ['api-user@example.com'], reason: 'test', bankGuid }),
    );
    assert.equal(disabled.state, 'completed', JSON.stringify(disabled));

    // Nothing the API answered holds a secret or an invite URL: only their references.
    for (const answer of t.answers) {
      assert.ok(!answer.includes(invite.inviteUrl) && !answer.includes(credential.clientSecret), answer);
    }

    const finalStatus = (await t.request('GET', `/v1/banks/${bankGuid}`, { token })).body as {
      rotations: { clientId: string }[];
    };
    assert.deepEqual(
      finalStatus.rotations.map((r) => r.clientId),
      [rotated.result!.clientId],
    );
  });

  it('logs one audit line per accepted request: who, operation, bank, workflow; never an email', () => {
    const audit = t.audit();
    const starts = audit.filter(
      (line) => !['getOperation', 'getBankStatus', 'listTasks'].includes(String(line.operation)),
    );
    assert.deepEqual(
      starts.map((line) => line.operation),
      [
        'onboardBank',
        'rotateBankCredentials',
        'completeRotation',
        'revokeBankCredentials',
        'offboardBank',
        'disableUsers',
      ],
    );
    for (const line of starts) {
      assert.match(String(line.principal), /^key:[0-9a-f]{16}$/);
      assert.match(String(line.bankGuid), /^[0-9a-f]{32}$/);
    }
    assert.match(String(starts[0]!.workflowId), /^bank-[0-9a-f]{32}$/);
    assert.match(String(starts.at(-1)!.workflowId), /^disable-users-api-/);
    assert.doesNotMatch(JSON.stringify(audit), /@/);
  });

  /** Completing a task needs a person's task (today's IdP): tasks.test.ts answers these. */
  const ELSEWHERE = ['submitCredential', 'checkTasks', 'confirmTask'];

  it('answered every route with its documented success', () => {
    const documented = Object.values(t.checker.document.paths).flatMap((ops) =>
      Object.values(ops)
        .filter((op) => !ELSEWHERE.includes(op.operationId))
        .map((op) => {
          const success = Object.keys(op.responses).find((status) => status.startsWith('2'))!;
          return `${op.operationId} ${success}`;
        }),
    );
    for (const expected of documented) assert.ok(t.checker.seen.has(expected), `never saw ${expected}`);
  });
});
