/**
 * Who makes a write (PROVISIONER_WRITE_MODE against what the worker holds), the configuration behind it,
 * and the expiry a person is asked to give a new key: pure functions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseEnv, WorkerEnv } from '../../src/config.js';
import { OnboardBankInput } from '../../src/model/contract.js';
import { portalKeyExpiry, sameKeyExpiryDay } from '../../src/idp/application-expiry.js';
import { decideWrite, type WriteAccess } from '../../src/idp/permissions.js';
import type { WriteMode } from '../../src/model/workflow-safe/tasks.js';

const DAY_MS = 86_400_000;
const required = { CYBRID_CLIENT_ID: 'id', CYBRID_CLIENT_SECRET: 'secret' };

describe('decideWrite (pure)', () => {
  const expected: Record<WriteMode, Record<WriteAccess, 'worker' | 'person'>> = {
    auto: { 'api-key': 'worker', 'write-token': 'worker', none: 'person' },
    automatic: { 'api-key': 'worker', 'write-token': 'worker', none: 'worker' },
    assisted: { 'api-key': 'person', 'write-token': 'person', none: 'person' },
  };
  for (const [mode, byAccess] of Object.entries(expected) as [WriteMode, Record<WriteAccess, string>][])
    for (const [access, writer] of Object.entries(byAccess) as [WriteAccess, string][])
      it(`${mode} with ${access}: the ${writer}`, () => {
        const decision = decideWrite('createBankApplication', mode, access);
        assert.deepEqual(
          { operation: decision.operation, mode: decision.mode, writer: decision.writer },
          { operation: 'createBankApplication', mode, writer },
        );
      });

  it('says why, naming the scope and the write token source', () => {
    assert.match(decideWrite('createUser', 'auto', 'none').reason, /users:execute.*Partner Portal/);
    assert.match(decideWrite('createUser', 'auto', 'write-token').reason, /CYBRID_IDP_WRITE_TOKEN_COMMAND/);
    assert.match(decideWrite('createUser', 'automatic', 'none').reason, /the write fails/);
    assert.match(decideWrite('createUser', 'assisted', 'api-key').reason, /assisted/);
  });
});

describe('write mode and task timing configuration', () => {
  it('defaults to auto, a 7 d deadline and a 24 h reminder', () => {
    const config = parseEnv(WorkerEnv, required);
    assert.equal(config.PROVISIONER_WRITE_MODE, 'auto');
    assert.equal(config.PROVISIONER_TASK_DEADLINE, 7 * DAY_MS);
    assert.equal(config.PROVISIONER_TASK_REMINDER, DAY_MS);
  });

  it('reads them', () => {
    const config = parseEnv(WorkerEnv, {
      ...required,
      PROVISIONER_WRITE_MODE: 'assisted',
      PROVISIONER_TASK_DEADLINE: '3d',
      PROVISIONER_TASK_REMINDER: '6h',
    });
    assert.equal(config.PROVISIONER_WRITE_MODE, 'assisted');
    assert.equal(config.PROVISIONER_TASK_DEADLINE, 3 * DAY_MS);
    assert.equal(config.PROVISIONER_TASK_REMINDER, DAY_MS / 4);
  });

  it('refuses a bad value in one line naming the variable', () => {
    for (const [name, value, problem] of [
      [
        'PROVISIONER_WRITE_MODE',
        'manual',
        /PROVISIONER_WRITE_MODE: must be one of auto, automatic, assisted/,
      ],
      ['PROVISIONER_TASK_DEADLINE', 'soon', /PROVISIONER_TASK_DEADLINE: must be a duration/],
      ['PROVISIONER_TASK_REMINDER', '10s', /PROVISIONER_TASK_REMINDER: must be at least 1m/],
    ] as const)
      assert.throws(
        () => parseEnv(WorkerEnv, { ...required, [name]: value }),
        (err) => err instanceof ConfigError && problem.test(err.message) && !err.message.includes('\n'),
      );
  });
});

describe('the expiry a person gives a new key', () => {
  const now = Date.parse('2026-12-07T13:14:08.000Z');

  it('is the key lifetime from now, rounded up to the start of a UTC day (the Portal takes a date)', () => {
    assert.equal(portalKeyExpiry(undefined, now, 90 * DAY_MS), '2027-03-08T00:00:00.000Z');
  });

  it('is the one asked for when there is one', () => {
    assert.equal(portalKeyExpiry('2027-01-02T03:04:05+01:00', now, 90 * DAY_MS), '2027-01-02T02:04:05.000Z');
  });

  it('matches a key expiring the same UTC day, not the day before or after', () => {
    const asked = '2027-03-08T00:00:00.000Z';
    assert.ok(sameKeyExpiryDay('2027-03-08T00:00:00Z', asked));
    assert.ok(sameKeyExpiryDay('2027-03-08T23:59:59Z', asked));
    assert.ok(!sameKeyExpiryDay('2027-03-07T23:59:59Z', asked));
    assert.ok(!sameKeyExpiryDay('2027-03-09T00:00:00Z', asked));
  });
});

describe("an operation's own task timing (onboardBank input)", () => {
  const check = (tasks: unknown) => {
    const parsed = OnboardBankInput.safeParse({ bankGuid: '0123456789abcdef0123456789abcdef', tasks });
    return parsed.success
      ? 'ok'
      : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };

  it('takes durations of a minute or more, and says what is wrong with others', () => {
    assert.equal(check({ deadline: '2d', reminder: '1m' }), 'ok');
    assert.equal(
      check({ deadline: 'soon' }),
      'tasks.deadline: must be at least 1m, in whole minutes, hours or days such as 30m, 24h or 7d',
    );
    assert.equal(
      check({ reminder: '30s' }),
      'tasks.reminder: must be at least 1m, in whole minutes, hours or days such as 30m, 24h or 7d',
    );
    assert.equal(check({ reminder: '0.5h' }), check({ reminder: '30s' }));
    assert.equal(check({ deadline: 0 }), 'tasks.deadline: must be at least 1m');
  });
});
