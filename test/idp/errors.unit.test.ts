/** Unit tests of the one place IdP failures are classified (src/idp/errors.ts). */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorFromResponse,
  IdpError,
  isConflict,
  isNotFound,
  isRetryable,
  networkFailure,
  parseRetryAfter,
  applicationFailureUnlessCancelled,
  type IdpErrorType,
} from '../../src/idp/errors.js';

const errorBody = (status: number, message_code: string, error_message: string) =>
  new Response(JSON.stringify({ status, message_code, error_message }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

describe('errorFromResponse', () => {
  const cases: [number, IdpErrorType, boolean][] = [
    [400, 'IdpBadRequest', false],
    [401, 'IdpUnauthorized', false],
    [403, 'IdpForbidden', false],
    [404, 'IdpNotFound', false],
    [409, 'IdpConflict', false],
    [422, 'IdpValidationError', false],
    [405, 'IdpUnexpectedStatus', false],
    [408, 'IdpUnavailable', true],
    [429, 'IdpUnavailable', true],
    [500, 'IdpUnavailable', true],
    [502, 'IdpUnavailable', true],
    [503, 'IdpUnavailable', true],
  ];
  for (const [status, type, retryable] of cases) {
    it(`maps ${status} to ${type} (${retryable ? 'retryable' : 'non-retryable'})`, async () => {
      const err = await errorFromResponse('getUser', errorBody(status, 'some_code', 'Some text'));
      assert.ok(err instanceof IdpError);
      assert.equal(err.type, type);
      assert.equal(err.retryable, retryable);
      assert.equal(err.status, status);
      assert.equal(err.messageCode, 'some_code');
      assert.equal(err.errorMessage, 'Some text');
      assert.equal(err.operation, 'getUser');
      assert.equal(err.message, `getUser failed: ${status} some_code (Some text)`);
    });
  }

  it('reads Retry-After seconds and HTTP-dates on retryable statuses', async () => {
    const seconds = errorBody(429, 'rate_limited', 'Slow down');
    seconds.headers.set('retry-after', '3');
    assert.equal((await errorFromResponse('listUsers', seconds)).retryAfterMs, 3000);

    const date = errorBody(503, 'unavailable', 'Maintenance');
    date.headers.set('retry-after', new Date(Date.now() + 60_000).toUTCString());
    const ms = (await errorFromResponse('listUsers', date)).retryAfterMs;
    assert.ok(ms !== undefined && ms > 55_000 && ms <= 60_000, `retryAfterMs ${ms}`);
  });

  it('reads OAuth2 error bodies of /oauth/token', async () => {
    const response = new Response(
      JSON.stringify({ error: 'invalid_client', error_description: 'Unknown client' }),
      {
        status: 401,
      },
    );
    const err = await errorFromResponse('token', response);
    assert.equal(err.type, 'IdpUnauthorized');
    assert.equal(err.messageCode, 'invalid_client');
    assert.equal(err.message, 'token failed: 401 invalid_client (Unknown client)');
  });

  it('never copies a body that is not an IdP error into the message', async () => {
    const leaky = new Response('<html>access_token=abc123secret</html>', { status: 502 });
    const err = await errorFromResponse('createBankApplication', leaky);
    assert.equal(err.message, 'createBankApplication failed: 502');
    assert.equal(err.type, 'IdpUnavailable');
    assert.equal(err.messageCode, undefined);
    const leakyJson = new Response(JSON.stringify({ secret: 'abc123secret' }), { status: 500 });
    assert.equal(String((await errorFromResponse('op', leakyJson)).stack).includes('abc123secret'), false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('parses delta-seconds, HTTP-dates, past dates and garbage', () => {
    assert.equal(parseRetryAfter('1', now), 1000);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});

describe('networkFailure', () => {
  it('is retryable and names only the low-level code', () => {
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const err = networkFailure('createUser', new TypeError('fetch failed', { cause }));
    assert.equal(err.type, 'IdpUnavailable');
    assert.equal(err.retryable, true);
    assert.equal(err.status, undefined);
    assert.equal(err.message, 'createUser failed: network error (ECONNRESET)');
  });
});

describe('predicates', () => {
  it('recognise not-found, conflict and retryable errors', async () => {
    const notFound = await errorFromResponse('getUser', errorBody(404, 'not_found', 'user not found'));
    const conflict = await errorFromResponse(
      'createUser',
      errorBody(409, 'user_exists', 'User already exists'),
    );
    const unavailable = await errorFromResponse(
      'createUser',
      errorBody(500, 'internal_server_error', 'Oops'),
    );
    assert.deepEqual(
      [isNotFound(notFound), isConflict(notFound), isRetryable(notFound)],
      [true, false, false],
    );
    assert.deepEqual(
      [isNotFound(conflict), isConflict(conflict), isRetryable(conflict)],
      [false, true, false],
    );
    assert.deepEqual([isNotFound(unavailable), isRetryable(unavailable)], [false, true]);
    assert.equal(isNotFound(new Error('not found')), false);
  });
});

describe('applicationFailureUnlessCancelled', () => {
  it('maps a non-retryable IdP error with type, details and message', async () => {
    const err = await errorFromResponse('createUser', errorBody(409, 'user_exists', 'User already exists'));
    const failure = applicationFailureUnlessCancelled(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'IdpConflict');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'createUser failed: 409 user_exists (User already exists)');
    assert.deepEqual(failure.details, [{ status: 409, messageCode: 'user_exists', operation: 'createUser' }]);
    assert.equal(failure.nextRetryDelay, undefined);
  });

  it('maps a throttled IdP error to a retryable failure with nextRetryDelay', async () => {
    const response = errorBody(429, 'rate_limited', 'Too many requests');
    response.headers.set('retry-after', '2');
    const failure = applicationFailureUnlessCancelled(await errorFromResponse('listUsers', response));
    assert.equal(failure.type, 'IdpUnavailable');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 2000);
  });

  it('passes ApplicationFailures through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('No IdP user has the email x@y', 'UnknownUser');
    assert.equal(applicationFailureUnlessCancelled(original), original);
  });

  it('rethrows cancellations instead of converting them', () => {
    const cancelled = new CancelledFailure('activity cancelled');
    assert.throws(
      () => applicationFailureUnlessCancelled(cancelled),
      (thrown) => thrown === cancelled,
    );
    const controller = new AbortController();
    controller.abort();
    assert.throws(
      () => applicationFailureUnlessCancelled(controller.signal.reason),
      (thrown) => thrown === controller.signal.reason,
    );
  });

  it('turns any other error into a retryable failure named after it', () => {
    class SecretStoreBusy extends Error {
      override name = 'SecretStoreBusy';
    }
    const failure = applicationFailureUnlessCancelled(new SecretStoreBusy('lock held'));
    assert.equal(failure.type, 'SecretStoreBusy');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.message, 'lock held');
  });
});
