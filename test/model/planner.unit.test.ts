/** The planner's rules, on observations written out by hand (the end-to-end tests observe real ones). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BankManifest } from '../../src/model/manifest.js';
import type { BankAction, ObservedBank, ObservedUser } from '../../src/model/plan.js';
import { planBank, userIndex, withWriters, writesOfAll } from '../../src/model/workflow-safe/planner.js';

const BANK = '0123456789abcdef0123456789abcdef';
const NOW = Date.parse('2026-06-01T00:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

const bank = (extra: Partial<BankManifest> = {}): BankManifest =>
  BankManifest.parse({ bankGuid: BANK, ...extra });
const user = (
  email: string,
  guid: string,
  allowedScopes: string[] | null = null,
  disabled = false,
): ObservedUser => ({
  email,
  guid,
  allowedScopes,
  disabled,
});

/** A bank whose current credential is application `app-1`, created 60 days ago. */
function synced(
  extra: { expiresAt?: string; idpExpiresAt?: string; ipAllowlist?: string[]; name?: string } = {},
) {
  const observed: ObservedBank = {
    bankGuid: BANK,
    applications: [
      {
        clientId: 'app-1',
        name: extra.name ?? `bank-${BANK} [op 0123456789ab]`,
        ipAllowlist: extra.ipAllowlist ?? ['203.0.114.7/32'],
        createdAt: at(NOW - 60 * DAY),
        ...(extra.idpExpiresAt ? { expiresAt: extra.idpExpiresAt } : {}),
      },
    ],
    credentials: [
      {
        clientId: 'app-1',
        stage: 'current',
        applicationName: `bank-${BANK} [op 0123456789ab]`,
        createdAt: at(NOW - 60 * DAY),
        ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
      },
    ],
    recordedUsers: [{ guid: 'u-a', email: 'a@example.com', disabled: false }],
  };
  return observed;
}

const plan = (desired: BankManifest, observed: ObservedBank, users: ObservedUser[] = [], prune = false) =>
  planBank(desired, observed, userIndex(users), { prune, nowMs: NOW });
const kinds = (items: { kind: string }[]) => items.map((item) => item.kind);

describe('planBank', () => {
  it('plans a new bank: the application with its settings, then every user', () => {
    const result = plan(
      bank({
        application: { ipAllowlist: ['203.0.114.7/32'], expiresAt: at(NOW + 365 * DAY) },
        users: [{ email: 'a@example.com', allowedScopes: ['banks:read'] }, { email: 'b@example.com' }],
      }),
      { bankGuid: BANK, applications: [], credentials: [], recordedUsers: [] },
    );
    assert.deepEqual(result.actions, [
      {
        kind: 'create-application',
        name: `bank-${BANK}`,
        ipAllowlist: ['203.0.114.7/32'],
        expiresAt: at(NOW + 365 * DAY),
      },
      { kind: 'create-user', email: 'a@example.com', allowedScopes: ['banks:read'] },
      { kind: 'create-user', email: 'b@example.com' },
    ]);
    assert.deepEqual(kinds(result.findings), ['application-missing', 'user-missing', 'user-missing']);
    assert.deepEqual(result.problems, []);
  });

  it('plans nothing for a bank that matches, whatever the order of its allowlist', () => {
    const observed = synced({ ipAllowlist: ['198.51.101.0/24', '203.0.114.7/32'] });
    const desired = bank({
      application: { ipAllowlist: ['203.0.114.7/32', '198.51.101.0/24'], name: `bank-${BANK}` },
      users: [{ email: 'A@example.com', allowedScopes: ['banks:read'] }],
    });
    const result = plan(desired, observed, [user('a@example.com', 'u-a', ['banks:read'])]);
    assert.deepEqual(result, { bankGuid: BANK, actions: [], findings: [], problems: [] });
  });

  it('leaves unmanaged what the manifest leaves out (allowlist, name, scopes)', () => {
    const result = plan(bank({ users: [{ email: 'a@example.com' }] }), synced(), [
      user('a@example.com', 'u-a', ['users:read']),
    ]);
    assert.deepEqual(result.actions, []);
  });

  it('changes an allowlist and a name in place, keeping the marker of the operation that created it', () => {
    const result = plan(bank({ application: { ipAllowlist: [], name: 'treasury' } }), synced());
    assert.deepEqual(result.actions, [
      {
        kind: 'update-application',
        clientId: 'app-1',
        ipAllowlist: { from: ['203.0.114.7/32'], to: [] },
        name: { from: `bank-${BANK} [op 0123456789ab]`, to: 'treasury [op 0123456789ab]' },
      },
    ]);
    assert.deepEqual(kinds(result.findings), ['application-changed', 'application-changed']);
  });

  it('changes scopes, records users created elsewhere, and cannot enable a disabled user', () => {
    const result = plan(
      bank({
        users: [
          { email: 'a@example.com', allowedScopes: ['banks:read'] },
          { email: 'elsewhere@example.com', allowedScopes: ['openid'] },
          { email: 'off@example.com' },
        ],
      }),
      synced(),
      [
        user('a@example.com', 'u-a', ['users:read']),
        user('elsewhere@example.com', 'u-e', ['openid']),
        user('off@example.com', 'u-off', null, true),
      ],
    );
    assert.deepEqual(result.actions, [
      {
        kind: 'update-user-scopes',
        email: 'a@example.com',
        guid: 'u-a',
        from: ['users:read'],
        to: ['banks:read'],
      },
      { kind: 'record-user', email: 'elsewhere@example.com', guid: 'u-e' },
    ]);
    assert.deepEqual(kinds(result.findings), ['user-scopes-changed', 'user-not-recorded', 'user-disabled']);
  });

  it('disables users the manifest no longer names only with prune, and never twice', () => {
    const observed = synced();
    observed.recordedUsers.push({ guid: 'u-gone', email: 'gone@example.com', disabled: true });
    const users = [user('a@example.com', 'u-a'), user('gone@example.com', 'u-gone')];
    const kept = plan(bank({ users: [] }), observed, users);
    assert.deepEqual(kept.actions, []);
    assert.deepEqual(kept.findings, [{ kind: 'user-unnamed', email: 'a@example.com', guid: 'u-a' }]);
    const pruned = plan(bank({ users: [] }), observed, users, true);
    assert.deepEqual(pruned.actions, [{ kind: 'disable-user', email: 'a@example.com', guid: 'u-a' }]);
  });

  it('replaces a deleted application, and revokes nothing it does not know', () => {
    const observed = synced();
    observed.applications = [];
    const result = plan(bank(), observed);
    assert.deepEqual(result.actions, [{ kind: 'create-application', name: `bank-${BANK}` }]);
    assert.deepEqual(result.findings, [{ kind: 'application-missing', deletedClientId: 'app-1' }]);
  });

  it('reports applications its store does not know, and will not create beside them', () => {
    const observed = synced();
    observed.applications[0] = { ...observed.applications[0]!, clientId: 'stranger' };
    const result = plan(bank(), observed);
    assert.deepEqual(kinds(result.findings), ['unmanaged-application', 'application-missing']);
    assert.match(result.problems[0]!, /applications its secret store does not know \(stranger\)/);
  });

  it('reuses a stored credential whose application still exists', () => {
    const observed = synced();
    observed.credentials[0]!.stage = 'previous';
    const result = plan(bank(), observed);
    assert.deepEqual(result.actions, [{ kind: 'create-application', name: `bank-${BANK}`, reuses: 'app-1' }]);
  });

  describe('expiry', () => {
    const expiring = bank({ rotation: { beforeExpiry: '14d' } });

    it('replaces the credential by rotation when the manifest asks for another expiry', () => {
      const wanted = at(NOW + 200 * DAY);
      const result = plan(
        bank({ application: { expiresAt: wanted } }),
        synced({ expiresAt: at(NOW + 100 * DAY) }),
      );
      assert.deepEqual(result.actions, [
        {
          kind: 'rotate-credential',
          clientId: 'app-1',
          reason: 'expiry-changed',
          expiresAt: wanted,
          currentExpiresAt: at(NOW + 100 * DAY),
        },
      ]);
    });

    it('renews a credential within its window for the same lifetime, at least twice the window', () => {
      // Created 60 days ago, expiring in 10: a 70-day lifetime.
      const result = plan(expiring, synced({ expiresAt: at(NOW + 10 * DAY) }));
      assert.deepEqual(result.actions, [
        {
          kind: 'rotate-credential',
          clientId: 'app-1',
          reason: 'expiring',
          expiresAt: at(NOW + 70 * DAY),
          currentExpiresAt: at(NOW + 10 * DAY),
        },
      ]);
      const short = synced({ expiresAt: at(NOW + DAY) });
      short.applications[0]!.createdAt = at(NOW - DAY);
      const renewed = plan(expiring, short).actions[0] as { expiresAt: string };
      assert.equal(renewed.expiresAt, at(NOW + 28 * DAY));
    });

    it("takes the IdP's expiry over the recorded one", () => {
      const result = plan(
        expiring,
        synced({ expiresAt: at(NOW + 100 * DAY), idpExpiresAt: at(NOW + 5 * DAY) }),
      );
      assert.deepEqual(kinds(result.actions), ['rotate-credential']);
    });

    it('only reports an expiring credential when its bank has no beforeExpiry (14 days ahead)', () => {
      const result = plan(bank(), synced({ expiresAt: at(NOW + 13 * DAY) }));
      assert.deepEqual(result.actions, []);
      assert.deepEqual(result.findings, [
        { kind: 'credential-expiring', clientId: 'app-1', expiresAt: at(NOW + 13 * DAY) },
      ]);
      assert.deepEqual(plan(bank(), synced({ expiresAt: at(NOW + 15 * DAY) })).findings, []);
    });

    it('asks nothing of an expiresAt that renewals superseded', () => {
      const old = bank({ application: { expiresAt: at(NOW - 5 * DAY) }, rotation: { beforeExpiry: '14d' } });
      assert.deepEqual(plan(old, synced({ expiresAt: at(NOW + 300 * DAY) })).actions, []);
    });

    it('refuses an expiresAt that has passed when there is no credential to renew', () => {
      const past = bank({ application: { expiresAt: at(NOW - DAY) } });
      const fresh = plan(past, { bankGuid: BANK, applications: [], credentials: [], recordedUsers: [] });
      assert.match(fresh.problems[0]!, /application\.expiresAt .* has passed/);
      assert.match(plan(past, synced()).problems[0]!, /has passed/);
    });
  });
});

describe('who makes each action', () => {
  const decision = (operation: string, writer: 'worker' | 'person') => ({
    operation,
    mode: 'auto' as const,
    writer,
    reason: 'test',
  });
  const actions: BankAction[] = [
    { kind: 'create-application', name: 'n' },
    { kind: 'create-application', name: 'n', reuses: 'app-0' },
    { kind: 'update-application', clientId: 'app-1', name: { from: 'a', to: 'b' } },
    { kind: 'rotate-credential', clientId: 'app-1', reason: 'expiring' },
    { kind: 'create-user', email: 'a@example.com' },
    { kind: 'update-user-scopes', email: 'a@example.com', guid: 'u1', from: null, to: ['banks:read'] },
    { kind: 'record-user', email: 'a@example.com', guid: 'u1' },
    { kind: 'disable-user', email: 'a@example.com', guid: 'u1' },
    { kind: 'remove-rotation-schedule', scheduleId: 's' },
  ];

  it('asks about each IdP write once; reusing a credential and recording a user write nothing on the IdP', () => {
    assert.deepEqual(writesOfAll(actions), [
      'createBankApplication',
      'updateBankApplication',
      'deleteBankApplication',
      'createUser',
      'updateUser',
      'disableUser',
    ]);
  });

  it('gives an action to a person when any of its writes is, and leaves the schedules unsaid', () => {
    const decided = withWriters(actions, [
      decision('createBankApplication', 'worker'),
      decision('deleteBankApplication', 'person'),
      decision('createUser', 'person'),
      decision('updateUser', 'worker'),
    ]);
    assert.deepEqual(
      decided.map((a) => [a.kind, 'by' in a ? a.by : undefined]),
      [
        ['create-application', 'worker'],
        ['create-application', 'worker'],
        ['update-application', 'worker'],
        ['rotate-credential', 'person'],
        ['create-user', 'person'],
        ['update-user-scopes', 'worker'],
        ['record-user', 'worker'],
        ['disable-user', 'worker'],
        ['remove-rotation-schedule', undefined],
      ],
    );
  });
});
