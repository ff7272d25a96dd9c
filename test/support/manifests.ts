/** Manifests for the desired-state tests and benchmarks: fleets of banks, and manifests that must be refused. */
import { randomBytes } from 'node:crypto';
import type { BankManifest, ManifestInput } from '../../src/model/manifest.js';

const guid = () => randomBytes(16).toString('hex');

/** Scopes the fleet's users get, in turn (some get none: the IdP default). */
const SCOPE_SETS: (BankManifest['users'] & object)[number]['allowedScopes'][] = [
  ['banks:read'],
  ['banks:read', 'customers:read'],
  undefined,
  ['users:read', 'openid'],
  ['customers:write'],
];

/** A public allowlist entry for bank number `n`. */
export const allowlistEntry = (n: number) => `198.51.${101 + (n % 100)}.${n % 250}/32`;

/** `banks` banks, each with an allowlist and 3 to 5 users (`usersOf(i)`), and a rotation policy. */
export function fleet(banks: number, usersOf = (i: number) => 3 + (i % 3)): BankManifest[] {
  return Array.from({ length: banks }, (_, i) => {
    const bankGuid = guid();
    return {
      bankGuid,
      application: { ipAllowlist: [allowlistEntry(i)] },
      users: Array.from({ length: usersOf(i) }, (_, u) => ({
        email: `user-${u}@bank-${bankGuid.slice(0, 12)}.example.com`,
        ...(SCOPE_SETS[u % SCOPE_SETS.length] ? { allowedScopes: SCOPE_SETS[u % SCOPE_SETS.length] } : {}),
      })),
    };
  });
}

const bank = (extra: Record<string, unknown> = {}) => ({ bankGuid: guid(), ...extra });

/**
 * Manifests the schema refuses, each with the paths its message must name (every problem, at once). They
 * cover unknown keys, repeated banks and emails, bad guids, durations, scopes, addresses and times, prune
 * without confirmation, and policies a schedule could not honour.
 */
export function badManifests(): { name: string; manifest: unknown; paths: string[] }[] {
  const twin = guid();
  return [
    { name: 'unknown top-level key', manifest: { banks: [bank()], prunee: true }, paths: ['manifest'] },
    {
      name: 'unknown keys in a bank, its application and a user',
      manifest: {
        banks: [
          bank({
            users: [{ email: 'a@example.com', scopes: ['banks:read'] }],
            application: { ip: [] },
            owner: 'x',
          }),
        ],
      },
      paths: ['banks.0', 'banks.0.application', 'banks.0.users.0'],
    },
    { name: 'no banks', manifest: { banks: [] }, paths: ['banks'] },
    {
      name: 'bad bank guids',
      manifest: { banks: [bank({ bankGuid: 'BANK' }), bank({ bankGuid: 'g'.repeat(32) })] },
      paths: ['banks.0.bankGuid', 'banks.1.bankGuid'],
    },
    {
      name: 'the same bank twice',
      manifest: { banks: [bank({ bankGuid: twin }), bank(), bank({ bankGuid: twin })] },
      paths: ['banks.2.bankGuid'],
    },
    {
      name: 'the same email twice in a bank (in any case)',
      manifest: {
        banks: [
          bank({
            users: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'A@Example.com' }],
          }),
        ],
      },
      paths: ['banks.0.users.2.email'],
    },
    {
      name: 'bad emails and scopes',
      manifest: {
        banks: [
          bank({
            users: [
              { email: 'not-an-email' },
              { email: 'b@example.com', allowedScopes: ['banks:fly'] },
              { email: 'c@example.com', allowedScopes: ['banks:read', 'banks:read'] },
            ],
          }),
        ],
      },
      paths: ['banks.0.users.0.email', 'banks.0.users.1.allowedScopes.0', 'banks.0.users.2.allowedScopes'],
    },
    {
      name: 'bad durations',
      manifest: {
        banks: [
          bank({ rotation: { every: '90 days', gracePeriod: 'soon' } }),
          bank({ rotation: { every: '0d' } }),
        ],
        drift: { every: 'hourly' },
      },
      paths: [
        'banks.0.rotation.every',
        'banks.0.rotation.gracePeriod',
        'banks.1.rotation.every',
        'drift.every',
      ],
    },
    {
      name: 'a rotation policy that sets nothing',
      manifest: { banks: [bank({ rotation: {} })] },
      paths: ['banks.0.rotation'],
    },
    {
      name: 'prune without confirmation',
      manifest: { banks: [bank()], prune: true },
      paths: ['confirmPrune'],
    },
    {
      name: 'beforeExpiry without a drift schedule to act on it',
      manifest: { banks: [bank({ rotation: { beforeExpiry: '14d' } })] },
      paths: ['banks.0.rotation.beforeExpiry'],
    },
    {
      name: 'a drift schedule slower than a bank window, and a grace period longer than it',
      manifest: {
        banks: [bank({ rotation: { beforeExpiry: '1d', gracePeriod: '2d' } })],
        drift: { every: '7d' },
      },
      paths: ['drift.every', 'banks.0.rotation.gracePeriod'],
    },
    {
      name: 'a private address, a duplicate entry and a bad expiry time',
      manifest: {
        banks: [
          bank({ application: { ipAllowlist: ['10.0.0.1/32'], expiresAt: 'next year' } }),
          bank({ application: { ipAllowlist: ['203.0.114.7', '203.0.114.7'] } }),
        ],
      },
      paths: [
        'banks.0.application.ipAllowlist.0',
        'banks.0.application.expiresAt',
        'banks.1.application.ipAllowlist',
      ],
    },
    {
      name: 'wrong types',
      manifest: { banks: [bank({ users: 'a@example.com' })], prune: 'yes', name: 'Main Fleet' },
      paths: ['banks.0.users', 'prune', 'name'],
    },
    { name: 'not a manifest at all', manifest: ['a@example.com'], paths: ['manifest'] },
  ];
}

/** A whole manifest of `banks`. */
export const manifestOf = (banks: BankManifest[], extra: Partial<ManifestInput> = {}): ManifestInput => ({
  name: `test-${guid().slice(0, 8)}`,
  banks,
  ...extra,
});
