/**
 * Errors of Temporal and of the ledger as the API answers them: only a service that is really unavailable
 * gives a 5xx (503 with Retry-After); a request naming nothing Temporal knows, or that Temporal cannot parse,
 * is 404 or 400. Against the real dev server through the API; the mapping of each gRPC status by itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { readOperation } from '../../src/api/operations.js';
import { Problem, toProblem } from '../../src/api/problems.js';
import { randomGuid } from '../support/env.js';
import { assertProblem, createApiWorld, type ApiWorld } from './support.js';

/** An error as @grpc/grpc-js gives it: a code, details and metadata. */
function grpcError(code: number): Error {
  return Object.assign(new Error(`${code} grpc`), { code, details: 'grpc', metadata: {} });
}

describe('Temporal and ledger errors through the API', () => {
  let t: ApiWorld;
  let reader: string;
  before(async () => {
    t = await createApiWorld();
    reader = await t.key(['read']);
  });
  after(() => t?.close());

  // Finding 1: this answered 500 ("failed to describe workflow" was mapped only when "not found").
  it('refuses an operation id whose run id is not a UUID with 400, not 500', async () => {
    const response = await t.request('GET', `/v1/operations/0~${'0'.repeat(36)}`, { token: reader });
    const problem = assertProblem(response, 400, 'invalid-input');
    assert.deepEqual(
      (problem.errors as { field: string }[]).map((e) => e.field),
      ['operationId'],
    );
  });

  it('answers 404 for a well-formed operation id that names no operation', async () => {
    const response = await t.request(
      'GET',
      `/v1/operations/bank-${randomGuid()}~7c9e6679-7425-40de-944b-e07fc1f90ae7`,
      { token: reader },
    );
    assertProblem(response, 404, 'not-found');
  });

  it('reads a run id Temporal cannot parse as no such operation (404), whatever the path pattern lets through', async () => {
    await assert.rejects(
      readOperation(t.world.client, `bank-${randomGuid()}`, '0'.repeat(36)),
      (err: unknown) => err instanceof Problem && err.problem === 'not-found',
    );
  });

  it('maps each gRPC status: unavailable ones to 503 with Retry-After, not found to 404, invalid to 400', () => {
    const expected: [code: number, problem: string][] = [
      [1, 'temporal-unavailable'],
      [3, 'invalid-input'],
      [4, 'temporal-unavailable'],
      [5, 'not-found'],
      [7, 'internal-error'],
      [8, 'temporal-unavailable'],
      [10, 'temporal-unavailable'],
      [13, 'temporal-unavailable'],
      [14, 'temporal-unavailable'],
    ];
    for (const [code, name] of expected) {
      for (const err of [grpcError(code), new ServiceError('wrapped', { cause: grpcError(code) })]) {
        const problem = toProblem(err);
        assert.equal(problem.problem, name, `gRPC ${code}`);
        if (name === 'temporal-unavailable') assert.equal(problem.headers['retry-after'], '5');
      }
    }
    const updateTimedOut = toProblem(new WorkflowUpdateRPCTimeoutOrCancelledError('no worker took it up'));
    assert.equal(updateTimedOut.problem, 'temporal-unavailable');
  });

  it('maps a ledger that does not answer to 503 with Retry-After, and an unknown error to 500', () => {
    for (const code of ['ECONNREFUSED', '08006', '57P01', 'SQLITE_BUSY']) {
      const problem = toProblem(Object.assign(new Error('store'), { code }));
      assert.equal(problem.problem, 'store-unavailable', code);
      assert.equal(problem.headers['retry-after'], '5');
    }
    assert.equal(toProblem(new Error('bug')).problem, 'internal-error');
  });
});
