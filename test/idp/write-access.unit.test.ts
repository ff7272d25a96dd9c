/**
 * What the client may write on today's IdP (v0.129.1209 and later drop the write scopes from an API key's
 * token): the pure judgement of a grant and of an expiry, the configuration behind them, and the client
 * against the real sandbox dropping the write scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseEnv, WorkerEnv } from '../../src/config.js';
import { applicationExpiryProblem, MAXIMUM_KEY_LIFETIME_MS } from '../../src/idp/application-expiry.js';
import { isWriteNotPermitted, applicationFailureUnlessCancelled } from '../../src/idp/errors.js';
import {
  judgeGrant,
  OPERATION_SCOPES,
  WRITE_NOT_PERMITTED,
  type WriteNotPermittedDetails,
} from '../../src/idp/permissions.js';
import { guidStartingWith, ORG_SCOPES, startIdpTestBed, uniqueEmail, type IdpTestBed } from './helpers.js';

const WRITE_SCOPES = ORG_SCOPES.filter((scope) => /:(write|execute)$/.test(scope));
const DAY_MS = 86_400_000;

describe('judgeGrant (pure)', () => {
  const requested = ['banks:read', 'bank_applications:execute', 'users:read'];

  it('sends what the grant allows, and what was never asked for (the IdP answers that one)', () => {
    const all = { grantedScopes: requested };
    assert.deepEqual(judgeGrant('createBankApplication', requested, all), { kind: 'send' });
    assert.deepEqual(judgeGrant('listBankApplications', requested, all), { kind: 'send' });
    assert.deepEqual(judgeGrant('createUser', requested, { grantedScopes: [] }), { kind: 'send' });
  });

  it('tells a dropped write from a dropped read', () => {
    const readsOnly = { grantedScopes: ['banks:read', 'users:read'] };
    assert.deepEqual(judgeGrant('createBankApplication', requested, readsOnly), {
      kind: 'write-elsewhere',
      scope: 'bank_applications:execute',
    });
    assert.deepEqual(judgeGrant('listUsers', requested, { grantedScopes: ['banks:read'] }), {
      kind: 'read-dropped',
      scope: 'users:read',
    });
  });

  it('names every write the Portal took over as a write, and the reads as reads', () => {
    const writes = Object.entries(OPERATION_SCOPES)
      .filter(([, need]) => need.writes)
      .map(([operation]) => operation)
      .sort();
    assert.deepEqual(writes, [
      'createBankApplication',
      'createOrganizationApplication',
      'createUser',
      'deleteBankApplication',
      'deleteOrganizationApplication',
      'disableUser',
      'updateBankApplication',
      'updateOrganizationApplication',
      'updateUser',
    ]);
    for (const [, need] of Object.entries(OPERATION_SCOPES))
      assert.equal(need.writes, /:(write|execute)$/.test(need.scope) && !need.scope.startsWith('customers:'));
  });
});

describe('applicationExpiryProblem (pure)', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();

  it('accepts an expiry between a minute and a year away', () => {
    assert.equal(applicationExpiryProblem(at(90 * DAY_MS), now), undefined);
    assert.equal(applicationExpiryProblem(at(61_000), now), undefined);
    assert.equal(applicationExpiryProblem(at(MAXIMUM_KEY_LIFETIME_MS), now), undefined);
  });

  it('refuses one in the past, too close, too far, or unreadable', () => {
    assert.match(applicationExpiryProblem(at(-1), now)!, /^must be in the future/);
    assert.match(applicationExpiryProblem(at(30_000), now)!, /^must be in the future \(at least 1m/);
    assert.match(
      applicationExpiryProblem(at(MAXIMUM_KEY_LIFETIME_MS + 1), now)!,
      /^must be at most 365d away/,
    );
    assert.equal(applicationExpiryProblem('soon', now), 'must be an ISO date-time');
  });
});

describe('configuration of writes', () => {
  const base = { CYBRID_CLIENT_ID: 'id', CYBRID_CLIENT_SECRET: 'secret' };

  it('parses PROVISIONER_KEY_LIFETIME once, to milliseconds, 90 days by default', () => {
    assert.equal(parseEnv(WorkerEnv, base).PROVISIONER_KEY_LIFETIME, 90 * DAY_MS);
    assert.equal(
      parseEnv(WorkerEnv, { ...base, PROVISIONER_KEY_LIFETIME: '30d' }).PROVISIONER_KEY_LIFETIME,
      30 * DAY_MS,
    );
    assert.equal(parseEnv(WorkerEnv, base).CYBRID_IDP_WRITE_TOKEN_COMMAND, undefined);
  });

  for (const [value, expected] of [
    ['soon', /PROVISIONER_KEY_LIFETIME: must be a duration/],
    ['400d', /PROVISIONER_KEY_LIFETIME: must be at most 365d/],
    ['10m', /PROVISIONER_KEY_LIFETIME: must be at least 1h/],
  ] as const) {
    it(`refuses PROVISIONER_KEY_LIFETIME=${value}, naming it`, () => {
      assert.throws(
        () => parseEnv(WorkerEnv, { ...base, PROVISIONER_KEY_LIFETIME: value }),
        (err) => err instanceof ConfigError && expected.test(err.message),
      );
    });
  }

  it('refuses an empty CYBRID_IDP_WRITE_TOKEN_COMMAND', () => {
    assert.throws(
      () => parseEnv(WorkerEnv, { ...base, CYBRID_IDP_WRITE_TOKEN_COMMAND: '  ' }),
      (err) =>
        err instanceof ConfigError && /CYBRID_IDP_WRITE_TOKEN_COMMAND: must be a command/.test(err.message),
    );
  });
});

describe('IdP client writes (sandbox over HTTP)', () => {
  let bed: IdpTestBed;
  before(async () => {
    bed = await startIdpTestBed();
  });
  after(() => bed?.close());

  describe('on an IdP that drops the write scopes from the API key’s token', () => {
    before(() => bed.setFaults({ dropScopes: [...WRITE_SCOPES] }));
    after(() => bed.setFaults({ dropScopes: [] }));

    it('reads, and refuses every write with a non-retryable IdpWriteNotPermitted before sending it', async () => {
      const { idp, apiRequests, tokenRequests } = bed.client();
      assert.ok(Array.isArray((await idp.listUsers()).objects));
      assert.ok(Array.isArray((await idp.listBankApplications()).objects));
      const writes: [Promise<unknown>, string, string][] = [
        [
          idp.createBankApplication({ name: 'no', bank_guid: guidStartingWith('a') }),
          'createBankApplication',
          'bank_applications:execute',
        ],
        [
          idp.updateBankApplication('some-client', { name: 'no' }),
          'updateBankApplication',
          'bank_applications:write',
        ],
        [idp.deleteBankApplication('some-client'), 'deleteBankApplication', 'bank_applications:execute'],
        [idp.createUser({ email: uniqueEmail('no') }), 'createUser', 'users:execute'],
        [
          idp.updateUser(guidStartingWith('b'), { allowed_scopes: ['banks:read'] }),
          'updateUser',
          'users:write',
        ],
        [idp.disableUser(guidStartingWith('b')), 'disableUser', 'users:execute'],
        [
          idp.createOrganizationApplication({ name: 'no' }),
          'createOrganizationApplication',
          'organization_applications:execute',
        ],
      ];
      for (const [write, operation, scope] of writes) {
        const err = await bed.rejectsWith(write, {
          type: 'IdpWriteNotPermitted',
          operation,
          retryable: false,
          missingScopes: [scope],
        });
        assert.ok(isWriteNotPermitted(err));
        assert.match(err.message, new RegExp(`^${operation} needs the scope ${scope}, .*Partner Portal`));
        const failure = applicationFailureUnlessCancelled(err);
        assert.equal(failure.type, WRITE_NOT_PERMITTED);
        const details = failure.details?.[0] as WriteNotPermittedDetails;
        assert.equal(details.operation, operation);
        assert.equal(failure.nonRetryable, true);
        assert.deepEqual(failure.details, [
          { operation, status: undefined, messageCode: undefined, missingScopes: [scope] },
        ]);
      }
      assert.equal(apiRequests(), 2, 'only the reads reached the IdP');
      assert.equal(tokenRequests(), 1);
      const { writes: committed } = await bed.stats();
      assert.equal(committed, 0);
    });

    it('refuses a read whose scope was dropped too as IdpScopeDropped, naming the scope', async () => {
      bed.setFaults({ dropScopes: [...WRITE_SCOPES, 'users:read'] });
      const { idp, apiRequests } = bed.client();
      await bed.rejectsWith(idp.listUsers(), {
        type: 'IdpScopeDropped',
        operation: 'listUsers',
        retryable: false,
        missingScopes: ['users:read'],
      });
      assert.equal(apiRequests(), 0);
      assert.ok(Array.isArray((await idp.listBankApplications()).objects), 'the kept reads still work');
      bed.setFaults({ dropScopes: [...WRITE_SCOPES] });
    });
  });

  describe('expiry of a new application', () => {
    it('sends the key lifetime from now when none is asked for, and the one asked for otherwise', async () => {
      const { idp } = bed.client({ keyLifetimeMs: 10 * DAY_MS });
      const before = Date.now();
      const app = await idp.createBankApplication({
        name: 'default-expiry',
        bank_guid: guidStartingWith('a'),
      });
      const expires = Date.parse(app.expires_at!);
      assert.ok(expires >= before + 10 * DAY_MS && expires <= Date.now() + 10 * DAY_MS, app.expires_at!);

      const asked = new Date(Date.now() + 3 * DAY_MS).toISOString();
      const explicit = await idp.createBankApplication({
        name: 'asked',
        bank_guid: guidStartingWith('a'),
        expires_at: asked,
      });
      assert.equal(Date.parse(explicit.expires_at!), Date.parse(asked));
    });

    it('refuses one in the past or beyond the contract’s bound before any request, naming expires_at', async () => {
      const { idp, exchanges } = bed.client();
      for (const [expiresAt, problem] of [
        [new Date(Date.now() - DAY_MS).toISOString(), /expires_at: must be in the future/],
        [new Date(Date.now() + 400 * DAY_MS).toISOString(), /expires_at: must be at most 365d away/],
      ] as const) {
        await bed.rejectsWith(
          idp.createBankApplication({
            name: 'bad-expiry',
            bank_guid: guidStartingWith('a'),
            expires_at: expiresAt,
          }),
          {
            type: 'IdpRequestInvalid',
            operation: 'createBankApplication',
            retryable: false,
            message: problem,
          },
        );
        await bed.rejectsWith(
          idp.createOrganizationApplication({ name: 'bad-expiry', expires_at: expiresAt }),
          {
            type: 'IdpRequestInvalid',
            operation: 'createOrganizationApplication',
            message: problem,
          },
        );
      }
      assert.deepEqual(exchanges, []);
    });
  });
});
