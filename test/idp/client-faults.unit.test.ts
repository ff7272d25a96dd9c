/**
 * The client under the sandbox's injected faults (5xx, 429, lost responses, latency), with timeouts,
 * cancellation through AbortSignal, and pagination over several pages. Each test warms the token before
 * turning a fault on, so the fault hits the API call under test, then turns it off again.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IdpError, applicationFailureUnlessCancelled } from '../../src/idp/errors.js';
import type { SandboxFaults } from '../../src/dev/sandbox/index.js';
import { startIdpTestBed, uniqueEmail, type IdpTestBed } from './helpers.js';

describe('IdP client under faults (sandbox over HTTP)', () => {
  let bed: IdpTestBed;
  before(async () => {
    bed = await startIdpTestBed();
  });
  after(() => bed?.close());

  async function withFaults<T>(faults: Partial<SandboxFaults>, body: () => Promise<T>): Promise<T> {
    bed.setFaults(faults);
    try {
      return await body();
    } finally {
      bed.setFaults({ errorRate: 0, throttleRate: 0, lostResponseRate: 0, latencyMs: 0 });
    }
  }

  it('turns a 5xx into a retryable IdpUnavailable', async () => {
    const { idp } = bed.client();
    await idp.token();
    const err = await withFaults({ errorRate: 1 }, () =>
      bed.rejectsWith(idp.getUser('0'.repeat(32)), {
        type: 'IdpUnavailable',
        retryable: true,
        operation: 'getUser',
      }),
    );
    assert.ok([500, 502, 503].includes(err.status!), `status ${err.status}`);
    const failure = applicationFailureUnlessCancelled(err);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.type, 'IdpUnavailable');
  });

  it('turns a 429 into a retryable IdpUnavailable with Retry-After as retryAfterMs and nextRetryDelay', async () => {
    const { idp } = bed.client();
    await idp.token();
    const err = await withFaults({ throttleRate: 1 }, () =>
      bed.rejectsWith(idp.listUsers(), {
        type: 'IdpUnavailable',
        status: 429,
        retryable: true,
        retryAfterMs: 1000,
      }),
    );
    const failure = applicationFailureUnlessCancelled(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nextRetryDelay, 1000);
    assert.equal(failure.nonRetryable, false);
    assert.deepEqual(failure.details, [
      { status: 429, messageCode: err.messageCode, operation: 'listUsers' },
    ]);
  });

  it('turns a lost response into a retryable network error, while the write did commit', async () => {
    const { idp } = bed.client();
    await idp.token();
    const email = uniqueEmail('lost');
    const writesBefore = (await bed.stats()).writes;
    await withFaults({ lostResponseRate: 1 }, () =>
      bed.rejectsWith(idp.createUser({ email }), {
        type: 'IdpUnavailable',
        retryable: true,
        status: undefined,
        operation: 'createUser',
        message: /^createUser failed: network error \(.+\)$/,
      }),
    );
    assert.equal((await bed.stats()).writes, writesBefore + 1);
    const users = [];
    for await (const user of idp.listAllUsers()) users.push(user.email);
    assert.ok(users.includes(email), 'the user exists although its creation looked failed');
    await bed.rejectsWith(idp.createUser({ email }), { type: 'IdpConflict', status: 409 });
  });

  it('times out a slow response as a retryable IdpUnavailable', async () => {
    const { idp } = bed.client({ timeoutMs: 150 });
    await idp.token();
    const started = Date.now();
    const err = await withFaults({ latencyMs: 1000 }, () =>
      bed.rejectsWith(idp.listUsers(), { type: 'IdpUnavailable', retryable: true, status: undefined }),
    );
    const elapsed = Date.now() - started;
    assert.match(err.message, /^listUsers failed: no response from the IdP within 150 ms$/);
    assert.ok(elapsed < 900, `gave up after ${elapsed} ms`);
    assert.equal(applicationFailureUnlessCancelled(err).nonRetryable, false);
  });

  it('applies the timeout to the token request as well', async () => {
    const { idp } = bed.client({ timeoutMs: 150 });
    await withFaults({ latencyMs: 1000 }, () =>
      bed.rejectsWith(idp.listUsers(), { type: 'IdpUnavailable', retryable: true, operation: 'token' }),
    );
  });

  describe('cancellation', () => {
    it('aborts an in-flight call with the caller’s reason, not an IdP failure', async () => {
      const { idp } = bed.client();
      await idp.token();
      const controller = new AbortController();
      const reason = new CancelledFailure('activity cancelled'); // what Temporal aborts an activity with
      const started = Date.now();
      await withFaults({ latencyMs: 1000 }, async () => {
        const pending = idp.createUser({ email: uniqueEmail('aborted') }, { signal: controller.signal });
        setTimeout(() => controller.abort(reason), 50);
        await assert.rejects(pending, (err) => err === reason);
      });
      assert.ok(Date.now() - started < 900, 'the call stopped when aborted');
      assert.throws(
        () => applicationFailureUnlessCancelled(reason),
        (err) => err === reason,
      );
    });

    it('aborts while waiting for the token, and makes no call at all with a signal already aborted', async () => {
      const waiting = bed.client();
      const controller = new AbortController();
      await withFaults({ latencyMs: 500 }, async () => {
        const pending = waiting.idp.listUsers({}, { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(pending, { name: 'AbortError' });
      });
      assert.equal(waiting.apiRequests(), 0);

      const idle = bed.client();
      const err = await idle.idp
        .getUser('0'.repeat(32), { signal: AbortSignal.abort() })
        .catch((e: unknown) => e);
      assert.ok(err instanceof Error && err.name === 'AbortError' && !(err instanceof IdpError));
      assert.equal(idle.exchanges.length, 0);
    });
  });

  it('walks 250 users across three pages of 100', async () => {
    const { idp, exchanges } = bed.client();
    const emails = new Set(Array.from({ length: 250 }, () => uniqueEmail('page')));
    const queue = [...emails];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let email = queue.pop(); email; email = queue.pop()) await idp.createUser({ email });
      }),
    );
    const total = (await idp.listUsers({ perPage: 1 })).total;
    const listsBefore = exchanges.filter((e) => e.method === 'GET' && e.path === '/api/users').length;

    const seen: string[] = [];
    for await (const user of idp.listAllUsers()) seen.push(user.email);
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total, 'no user appears twice');
    assert.ok([...emails].every((email) => seen.includes(email)));
    const pages = exchanges.filter((e) => e.method === 'GET' && e.path === '/api/users').length - listsBefore;
    assert.equal(pages, Math.ceil(total / 100));
  });

  it('leaves no secret in any error, even under faults', async () => {
    assert.ok(bed.secrets.size >= 2, 'the org secret and at least one access token were recorded');
    // Every rejectsWith above checked its error; here the create responses lost mid-flight count too.
    const { idp } = bed.client();
    await idp.token();
    await withFaults({ lostResponseRate: 1 }, () =>
      bed.rejectsWith(idp.createOrganizationApplication({ name: 'lost-secret' }), { type: 'IdpUnavailable' }),
    );
  });
});
