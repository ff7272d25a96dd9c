import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { InvalidInputError } from '../../src/client/index.js';
import { z } from 'zod';
import { MAX_USERS_PER_ONBOARDING, OnboardBankInput } from '../../src/model/contract.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { sandboxStats } from '../support/idp.js';

/** Every field of a schema as a dotted path, `*` standing for any element of a list. */
function fieldsOf(schema: z.ZodType, path = ''): string[] {
  if (schema instanceof z.ZodOptional) return fieldsOf(schema.unwrap() as z.ZodType, path);
  if (schema instanceof z.ZodArray) return [path, ...fieldsOf(schema.element as z.ZodType, `${path}.*`)];
  if (schema instanceof z.ZodObject)
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
      fieldsOf(field, path ? `${path}.${key}` : key),
    );
  return [path];
}

/** Whether `value` holds something at `path` (as fieldsOf writes it). */
function holds(value: unknown, [head, ...rest]: string[]): boolean {
  if (head === undefined) return value !== undefined;
  if (head === '*') return Array.isArray(value) && value.some((item) => holds(item, rest));
  return typeof value === 'object' && value !== null && holds((value as Record<string, unknown>)[head], rest);
}

const guid = randomGuid();
const many = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `u${i}@example.com` }));

/** [what is wrong, input, a pattern the error names] */
const BAD_INPUTS: [string, unknown, RegExp][] = [
  ['missing bankGuid', {}, /bankGuid/],
  ['short bankGuid', { bankGuid: 'abc' }, /bankGuid.*32/],
  ['uppercase bankGuid', { bankGuid: guid.toUpperCase() }, /bankGuid.*lowercase/],
  ['33-character bankGuid', { bankGuid: `${guid}0` }, /bankGuid/],
  ['empty application name', { bankGuid: guid, application: { name: '' } }, /application\.name/],
  [
    '129-character application name',
    { bankGuid: guid, application: { name: 'n'.repeat(129) } },
    /application\.name/,
  ],
  [
    'bad CIDR',
    { bankGuid: guid, application: { ipAllowlist: ['203.0.113.300/24'] } },
    /application\.ipAllowlist/,
  ],
  ['CIDR prefix over 32', { bankGuid: guid, application: { ipAllowlist: ['8.8.8.0/33'] } }, /ipAllowlist/],
  ['private address', { bankGuid: guid, application: { ipAllowlist: ['10.1.2.3'] } }, /not a public address/],
  [
    'loopback address',
    { bankGuid: guid, application: { ipAllowlist: ['127.0.0.1'] } },
    /not a public address/,
  ],
  [
    'duplicate allowlist entries',
    { bankGuid: guid, application: { ipAllowlist: ['8.8.8.8', '8.8.8.8'] } },
    /duplicates/,
  ],
  ['bad expiresAt', { bankGuid: guid, application: { expiresAt: 'tomorrow' } }, /expiresAt/],
  ['email without @', { bankGuid: guid, users: [{ email: 'alice.example.com' }] }, /users\.0\.email/],
  ['empty email', { bankGuid: guid, users: [{ email: '' }] }, /users\.0\.email/],
  ...['(', ';', '>'].map((char): [string, unknown, RegExp] => [
    `email with ${char}`,
    { bankGuid: guid, users: [{ email: 'ok@example.com' }, { email: `a${char}b@example.com` }] },
    new RegExp(`users\\.1\\.email: must be an email address .*"\\${char}" is not allowed`),
  ]),
  [
    '255-character email',
    { bankGuid: guid, users: [{ email: `${'a'.repeat(243)}@example.com` }] },
    /users\.0\.email/,
  ],
  [
    'duplicate emails',
    { bankGuid: guid, users: [{ email: 'a@example.com' }, { email: 'A@example.com' }] },
    /same email twice/,
  ],
  [
    'unknown scope',
    { bankGuid: guid, users: [{ email: 'a@example.com', allowedScopes: ['users:fly'] }] },
    /allowedScopes/,
  ],
  [
    'empty scopes',
    { bankGuid: guid, users: [{ email: 'a@example.com', allowedScopes: [] }] },
    /allowedScopes.*at least one/,
  ],
  [
    'duplicate scopes',
    { bankGuid: guid, users: [{ email: 'a@example.com', allowedScopes: ['users:read', 'users:read'] }] },
    /allowedScopes.*duplicates/,
  ],
  ['too many users', { bankGuid: guid, users: many(MAX_USERS_PER_ONBOARDING + 1) }, /users.*at most/],
  ['verifyCredentials not a boolean', { bankGuid: guid, verifyCredentials: 'yes' }, /verifyCredentials/],
  [
    'a task deadline under a minute',
    { bankGuid: guid, tasks: { deadline: '30s' } },
    /tasks\.deadline: must be at least 1m/,
  ],
  [
    'a task reminder that is no duration',
    { bankGuid: guid, tasks: { reminder: 'daily' } },
    /tasks\.reminder: must be at least 1m, in whole minutes, hours or days/,
  ],
];

describe('onboardBank: bad input is rejected with a clear error and no IdP write', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
  });
  after(() => world.close());

  it('has a bad value for every field of the input', () => {
    const untried = fieldsOf(OnboardBankInput).filter(
      (field) => !BAD_INPUTS.some(([, input]) => holds(input, field.split('.'))),
    );
    assert.deepEqual(untried, [], 'fields no case gives a bad value');
  });

  for (const [what, input, names] of BAD_INPUTS) {
    it(`rejects ${what} at the edge and at workflow start`, async () => {
      const before = await sandboxStats(world);
      await assert.rejects(world.client.startOnboarding(input as never), (err: unknown) => {
        assert.ok(err instanceof InvalidInputError);
        assert.match(err.message, names);
        return true;
      });
      // Bypass the edge: the workflow validates again before any IdP call.
      const handle = await world.client.client.workflow.start('onboardBank', {
        workflowId: `bad-input-${randomGuid()}`,
        taskQueue: world.taskQueue,
        args: [input],
      });
      const err = await handle.result().then(
        () => assert.fail('the workflow accepted bad input'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(describeFailure(err), /Invalid input/);
      assert.match(describeFailure(err), names);
      assert.equal((await sandboxStats(world)).writes, before.writes, 'bad input caused an IdP write');
    });
  }
});
