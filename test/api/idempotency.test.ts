/**
 * Idempotent starts across two API replicas sharing a PostgreSQL ledger: 20 identical concurrent starts with
 * one key start one workflow and get 20 equal answers; the key with another body is 422; a refused start
 * keeps nothing, so its key works once the bank is free.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiRequestToken, requestDigest } from '../../src/api/idempotency.js';
import { startApiServer, type RunningApiServer } from '../../src/api/server.js';
import { ledgerLocation } from '../../src/dependencies.js';
import { parseEnv, StateEnv } from '../../src/config.js';
import { openLedger, type ProvisioningLedger } from '../../src/ledger/index.js';
import { bankWorkflowId } from '../../src/model/contract.js';
import { capturingLogger, randomGuid } from '../support/env.js';
import { freshDatabaseUrl } from '../support/stores.js';
import { assertProblem, createApiWorld, send, type ApiWorld } from './support.js';

describe('HTTP API: idempotent starts on two replicas', () => {
  let t: ApiWorld;
  let secondLedger: ProvisioningLedger;
  let second: RunningApiServer;
  let token: string;
  before(async () => {
    t = await createApiWorld({ env: { PROVISIONER_DATABASE_URL: await freshDatabaseUrl() } });
    // A second replica: its own ledger connection to the same database, its own server.
    secondLedger = await openLedger(ledgerLocation(parseEnv(StateEnv, t.world.env)));
    second = await startApiServer({
      client: t.world.client,
      ledger: secondLedger,
      secrets: t.world.deps.secrets,
      logger: capturingLogger('info', []),
      rateLimitPerMinute: 100_000,
      version: 'test',
    });
    token = await t.key(['onboard', 'rotate', 'read']);
  });
  after(async () => {
    await second?.close();
    await secondLedger?.close();
    await t?.close();
  });

  it('starts one workflow for 20 concurrent identical starts and gives them 20 equal answers', async () => {
    const bankGuid = randomGuid();
    const path = `/v1/banks/${bankGuid}/onboarding`;
    const options = {
      token,
      body: { users: [{ email: 'idempotent@example.com' }] },
      headers: { 'idempotency-key': 'onboard-once' },
    };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? t.request('POST', path, options) : send(second.url, 'POST', path, options),
      ),
    );
    for (const answer of answers) t.checker.check('POST', path, answer);
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(20).fill(202),
    );
    const first = answers[0]!;
    for (const answer of answers) {
      assert.deepEqual(answer.body, first.body);
      assert.equal(answer.headers.get('location'), first.headers.get('location'));
    }
    assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 19);

    const { runId } = first.body as { runId: string };
    const handle = t.world.client.client.workflow.getHandle(bankWorkflowId(bankGuid));
    await handle.result();
    assert.equal((await handle.describe()).runId, runId, 'the one run is the one answered');
    const runs = await t.world.client.client.workflow.count(`WorkflowId = '${bankWorkflowId(bankGuid)}'`);
    assert.equal(runs.count, 1, 'one workflow');

    const changed = await t.request('POST', path, {
      ...options,
      body: { users: [{ email: 'other@example.com' }] },
    });
    assertProblem(changed, 422, 'idempotency-key-reused');
    const onAnotherRoute = await t.request('POST', `/v1/banks/${randomGuid()}/onboarding`, options);
    assertProblem(onAnotherRoute, 422, 'idempotency-key-reused');
    const later = await send(second.url, 'POST', path, options);
    assert.deepEqual([later.status, later.body], [202, first.body], 'the answer is remembered');
  });

  it('answers a copy that takes over from one whose replica died with the workflow it started, finished or running', async () => {
    const principal = `key:${token.slice(5, 21)}`;
    /** What a replica leaves when it dies between starting the workflow and recording the answer. */
    const diedAfterStarting = async (key: string, path: string, body: object) => {
      const longAgo = new Date(Date.now() - 120_000).toISOString();
      const reserved = await t.world.deps.ledger.reserveIdempotencyKey(
        principal,
        key,
        requestDigest('POST', path, body),
        longAgo,
        longAgo,
      );
      assert.equal(reserved.reserved, true);
      return { memo: { apiRequest: apiRequestToken(principal, key) } };
    };
    const finishedBank = randomGuid();
    const finishedPath = `/v1/banks/${finishedBank}/onboarding`;
    const onboarding = await t.world.client.startOnboarding(
      { bankGuid: finishedBank },
      await diedAfterStarting('died-onboarding', finishedPath, {}),
    );
    await onboarding.result();
    const afterFinished = await t.request('POST', finishedPath, {
      token,
      body: {},
      headers: { 'idempotency-key': 'died-onboarding' },
    });
    assert.deepEqual(
      [afterFinished.status, (afterFinished.body as { runId: string }).runId],
      [202, onboarding.firstExecutionRunId],
    );

    const rotationPath = `/v1/banks/${finishedBank}/rotation`;
    const rotation = await t.world.client.startRotation(
      { bankGuid: finishedBank, gracePeriod: '1h' },
      await diedAfterStarting('died-rotation', rotationPath, { gracePeriod: '1h' }),
    );
    const whileRunning = await t.request('POST', rotationPath, {
      token,
      body: { gracePeriod: '1h' },
      headers: { 'idempotency-key': 'died-rotation' },
    });
    assert.deepEqual(
      [whileRunning.status, (whileRunning.body as { runId: string }).runId],
      [202, rotation.firstExecutionRunId],
    );
    await rotation.cancel();
    const runs = await t.world.client.client.workflow.count(`WorkflowId = '${bankWorkflowId(finishedBank)}'`);
    assert.equal(runs.count, 2, 'one onboarding and one rotation: nothing started twice');
  });

  it('keeps nothing for a refused start: its key works once the bank is free', async () => {
    const bankGuid = randomGuid();
    const path = `/v1/banks/${bankGuid}/onboarding`;
    const running = await t.request('POST', path, {
      token,
      body: {},
      headers: { 'idempotency-key': 'first' },
    });
    assert.equal(running.status, 202);
    const busy = await t.request('POST', path, { token, body: {}, headers: { 'idempotency-key': 'second' } });
    const problem = assertProblem(busy, 409, 'bank-busy');
    assert.equal(
      (problem.runningOperation as { operationId: string }).operationId,
      (running.body as { operationId: string }).operationId,
    );
    await t.world.client.client.workflow.getHandle(bankWorkflowId(bankGuid)).result();
    const retried = await t.request('POST', path, {
      token,
      body: {},
      headers: { 'idempotency-key': 'second' },
    });
    assert.equal(retried.status, 202);
    assert.notEqual((retried.body as { runId: string }).runId, (running.body as { runId: string }).runId);
  });
});
