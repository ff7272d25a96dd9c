import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  faultsFromEnv,
  faultsFromFlags,
  startSandbox,
  type RunningSandbox,
  type SandboxFaults,
} from '../../src/dev/sandbox/index.js';
import { DEFAULT_FAULTS } from '../../src/dev/sandbox/faults.js';
import { assertError, call, guid, orgToken, startSandboxWithAdmin, stats } from './support.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

describe('sandbox fault injection', () => {
  let sandbox: RunningSandbox;
  let admin: string;
  before(async () => ({ sandbox, admin } = await startSandboxWithAdmin()));
  after(() => sandbox.close());

  /** Runs `body` with these faults, then removes every fault. */
  const withFaults = async (faults: Partial<SandboxFaults>, body: () => Promise<void>) => {
    sandbox.setFaults(faults);
    try {
      await body();
    } finally {
      sandbox.setFaults(DEFAULT_FAULTS);
    }
  };
  const userCount = async () => {
    const answer = await call(sandbox, 'GET', '/api/users', { token: admin });
    return (answer.body as { total: number }).total;
  };
  const statuses = async (n: number) => {
    const seen: number[] = [];
    for (let i = 0; i < n; i++)
      seen.push((await call(sandbox, 'GET', '/api/users', { token: admin })).status);
    return seen;
  };

  it('errorRate 1: every /api and /oauth request is a 500/502/503 ErrorResponse and nothing commits', async () => {
    const users = await userCount();
    const before = await stats(sandbox);
    await withFaults({ errorRate: 1 }, async () => {
      for (let i = 0; i < 6; i++) {
        const answer = await call(sandbox, 'POST', '/api/users', {
          token: admin,
          body: { email: `${guid()}@x.io` },
        });
        assert.ok([500, 502, 503].includes(answer.status), `got ${answer.status}`);
        assertError(answer, answer.status, 'internal_server_error');
      }
      const token = await call(sandbox, 'POST', '/oauth/token', {
        body: { grant_type: 'client_credentials' },
      });
      assert.ok(token.status >= 500);
      assert.equal(
        (await call(sandbox, 'GET', '/__sandbox/stats')).status,
        200,
        '/__sandbox is never faulted',
      );
    });
    const afterwards = await stats(sandbox);
    assert.equal(afterwards.writes, before.writes);
    assert.equal(afterwards.requests - before.requests, 7, 'faulted requests still count as arrived');
    assert.equal(await userCount(), users);
  });

  it('throttleRate 1: 429 with Retry-After: 1 and an ErrorResponse', async () => {
    await withFaults({ throttleRate: 1 }, async () => {
      for (const answer of [
        await call(sandbox, 'GET', '/api/users', { token: admin }),
        await call(sandbox, 'POST', '/oauth/token', { body: {} }),
      ]) {
        assertError(answer, 429, 'too_many_requests');
        assert.equal(answer.headers.get('retry-after'), '1');
      }
    });
  });

  it('is deterministic for a seed: the same seed and sequence give the same faults', async () => {
    const faults = { errorRate: 0.3, throttleRate: 0.2, seed: 42 };
    let first: number[] = [];
    await withFaults(faults, async () => {
      first = await statuses(40);
    });
    assert.ok(
      first.some((s) => s >= 500) && first.includes(429) && first.includes(200),
      `mixed outcomes: ${first.join(',')}`,
    );
    await withFaults(faults, async () => {
      assert.deepEqual(await statuses(40), first);
    });
    await withFaults({ ...faults, seed: 43 }, async () => {
      assert.notDeepEqual(await statuses(40), first);
    });

    const other = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
    try {
      const token = await orgToken(other);
      other.setFaults(faults);
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) seen.push((await call(other, 'GET', '/api/users', { token })).status);
      assert.deepEqual(seen, first, 'another sandbox with the same seed and sequence');
    } finally {
      await other.close();
    }
  });

  it('lostResponseRate 1: /api writes commit, then the connection drops; reads and tokens are unaffected', async () => {
    const email = `${guid()}@x.io`;
    const before = await stats(sandbox);
    await withFaults({ lostResponseRate: 1 }, async () => {
      await assert.rejects(
        fetch(`${sandbox.url}/api/users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        }),
        TypeError,
      );
      assert.equal((await call(sandbox, 'GET', '/api/users', { token: admin })).status, 200);
      assert.equal(
        (
          await call(sandbox, 'POST', '/oauth/token', {
            body: {
              grant_type: 'client_credentials',
              client_id: sandbox.orgCredentials.clientId,
              client_secret: sandbox.orgCredentials.clientSecret,
            },
          })
        ).status,
        200,
      );
      const rejected = await call(sandbox, 'POST', '/api/users', { token: admin, body: { email: '' } });
      assertError(rejected, 422, 'invalid_parameter'); // nothing committed, so the answer arrives
    });
    const users = await call(sandbox, 'GET', '/api/users?per_page=100', { token: admin });
    assert.ok(
      (users.body as { objects: { email: string }[] }).objects.some((u) => u.email === email),
      'the write committed',
    );
    const after = await stats(sandbox);
    assert.equal(after.writes - before.writes, 1);
    const created = (users.body as { objects: { email: string; guid: string }[] }).objects.find(
      (u) => u.email === email,
    );
    assert.deepEqual(after.lostResponses.slice(before.lostResponses.length), [
      { method: 'POST', path: '/api/users', email, guid: created!.guid },
    ]);
  });

  it('latencyMs delays /api requests but not /__sandbox', async () => {
    await withFaults({ latencyMs: 600 }, async () => {
      let started = Date.now();
      assert.equal((await call(sandbox, 'GET', '/api/users', { token: admin })).status, 200);
      assert.ok(Date.now() - started >= 590, 'the /api request was delayed');
      started = Date.now();
      await call(sandbox, 'GET', '/__sandbox/stats');
      assert.ok(Date.now() - started < 500, '/__sandbox was not delayed');
    });
  });

  it('rateLimit: beyond N requests per second → 429 with Retry-After, then recovers', async () => {
    const before = await stats(sandbox);
    await withFaults({ rateLimit: 5 }, async () => {
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => call(sandbox, 'GET', '/api/users', { token: admin })),
      );
      const ok = burst.filter((a) => a.status === 200).length;
      const limited = burst.filter((a) => a.status === 429);
      assert.ok(ok >= 5 && ok <= 10, `${ok} passed`);
      assert.equal(ok + limited.length, 20);
      for (const answer of limited) assert.equal(answer.headers.get('retry-after'), '1');
      assert.equal((await stats(sandbox)).rateLimited - before.rateLimited, limited.length);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await call(sandbox, 'GET', '/api/users', { token: admin })).status, 200);
    });
  });

  it('takenEmails: creating such a user answers 409 and creates no one (any case)', async () => {
    const email = `${guid()}@taken.io`;
    const users = await userCount();
    await withFaults({ takenEmails: [email] }, async () => {
      const answer = await call(sandbox, 'POST', '/api/users', {
        token: admin,
        body: { email: email.toUpperCase() },
      });
      assertError(answer, 409, 'user_exists');
    });
    assert.equal(await userCount(), users);
    const created = await call(sandbox, 'POST', '/api/users', { token: admin, body: { email } });
    assert.equal(created.status, 201, 'the email is free again without the fault');
  });

  describe('/__sandbox/faults', () => {
    it('GET returns the current faults; PUT changes some and returns all', async () => {
      assert.deepEqual((await call(sandbox, 'GET', '/__sandbox/faults')).body, DEFAULT_FAULTS);
      try {
        const put = await call(sandbox, 'PUT', '/__sandbox/faults', {
          body: { latencyMs: 5, dropScopes: ['users:write'] },
        });
        assert.equal(put.status, 200, put.text);
        const expected = { ...DEFAULT_FAULTS, latencyMs: 5, dropScopes: ['users:write'] };
        assert.deepEqual(put.body, expected);
        assert.deepEqual((await call(sandbox, 'GET', '/__sandbox/faults')).body, expected);
        assert.deepEqual(sandbox.faults(), expected);
      } finally {
        sandbox.setFaults(DEFAULT_FAULTS);
      }
    });

    it('PUT refuses bad input with 400 and changes nothing', async () => {
      for (const body of [
        { errorRate: 1.5 },
        { seed: -1 },
        { latencyMs: 'slow' },
        { dropScopes: 'a,b' },
        { typo: 1 },
        [1],
      ]) {
        assertError(await call(sandbox, 'PUT', '/__sandbox/faults', { body }), 400, 'invalid_parameter');
      }
      assertError(await call(sandbox, 'PUT', '/__sandbox/faults', { raw: '{' }), 400, 'invalid_json');
      assert.deepEqual(sandbox.faults(), DEFAULT_FAULTS);
    });

    it('hands out copies: changing the lists it returned changes no fault', () => {
      sandbox.setFaults({ dropScopes: ['users:write'], takenEmails: ['a@x.io'] });
      try {
        const faults = sandbox.faults();
        faults.dropScopes.push('users:read');
        faults.takenEmails.length = 0;
        assert.deepEqual(sandbox.faults(), {
          ...DEFAULT_FAULTS,
          dropScopes: ['users:write'],
          takenEmails: ['a@x.io'],
        });
      } finally {
        sandbox.setFaults(DEFAULT_FAULTS);
      }
    });

    it('setFaults and startSandbox refuse invalid faults', async () => {
      assert.throws(() => sandbox.setFaults({ throttleRate: -0.1 }), /throttleRate/);
      await assert.rejects(
        startSandbox({ database: ':memory:', contract: WRITING_CONTRACT, faults: { errorRate: 2 } }),
        /errorRate/,
      );
    });
  });

  describe('faultsFromFlags', () => {
    it('reads the flags as commander hands them, and throws naming a bad flag', () => {
      assert.deepEqual(
        faultsFromFlags({
          errorRate: '0.5',
          latencyMs: '20',
          dropScopes: 'users:read',
          takenEmails: 'a@x.io,b@x.io',
        }),
        { errorRate: 0.5, latencyMs: 20, dropScopes: ['users:read'], takenEmails: ['a@x.io', 'b@x.io'] },
      );
      assert.throws(() => faultsFromFlags({ lostResponseRate: '2' }), /^Error: --lost-response-rate: /);
      assert.throws(() => faultsFromFlags({ seed: '-1' }), /^Error: --seed: .*\(given "-1"\)$/);
    });
  });

  describe('faultsFromEnv', () => {
    it('reads every variable', () => {
      assert.deepEqual(
        faultsFromEnv({
          SANDBOX_ERROR_RATE: '0.1',
          SANDBOX_THROTTLE_RATE: '0.2',
          SANDBOX_LOST_RESPONSE_RATE: '0.3',
          SANDBOX_LATENCY_MS: '40',
          SANDBOX_RATE_LIMIT: '50',
          SANDBOX_SEED: '7',
          SANDBOX_DROP_SCOPES: 'users:write, users:execute,,',
          SANDBOX_TAKEN_EMAILS: 'taken@x.io',
        }),
        {
          errorRate: 0.1,
          throttleRate: 0.2,
          lostResponseRate: 0.3,
          latencyMs: 40,
          rateLimit: 50,
          seed: 7,
          dropScopes: ['users:write', 'users:execute'],
          takenEmails: ['taken@x.io'],
        },
      );
    });

    it('leaves out unset and empty variables', () => {
      assert.deepEqual(faultsFromEnv({ SANDBOX_ERROR_RATE: '', SANDBOX_SEED: '  ' }), {});
    });

    it('throws naming the variable for an invalid value', () => {
      assert.throws(() => faultsFromEnv({ SANDBOX_ERROR_RATE: 'often' }), /SANDBOX_ERROR_RATE/);
      assert.throws(() => faultsFromEnv({ SANDBOX_THROTTLE_RATE: '1.01' }), /SANDBOX_THROTTLE_RATE/);
      assert.throws(() => faultsFromEnv({ SANDBOX_SEED: '1.5' }), /SANDBOX_SEED/);
      assert.throws(() => faultsFromEnv({ SANDBOX_LATENCY_MS: '-1' }), /SANDBOX_LATENCY_MS/);
      assert.throws(() => faultsFromEnv({ SANDBOX_RATE_LIMIT: 'x' }), /SANDBOX_RATE_LIMIT/);
      assert.throws(() => faultsFromEnv({ SANDBOX_LOST_RESPONSE_RATE: '2' }), /SANDBOX_LOST_RESPONSE_RATE/);
    });
  });
});
