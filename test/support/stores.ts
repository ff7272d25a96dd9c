/**
 * The shared stores of test/run.ts, as tests use them: a fresh PostgreSQL database per caller, and the
 * Secrets Manager emulator under a fresh name prefix. Every backend-agnostic suite runs over `secretBackends`
 * and `ledgerBackends`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { openLedger, type ProvisioningLedger } from '../../src/ledger/index.js';
import { openAwsSecretStore, openLocalSecretStore, type SecretStore } from '../../src/secrets/index.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (test/run.ts starts it)`);
  return value;
}

/** What the AWS SDK needs to reach the emulator, from its standard variables. */
export function awsEnv(): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: required('PROVISIONER_TEST_AWS_ENDPOINT'),
  };
}

/** Points this test process's AWS SDK at the emulator; returns a name prefix no other test uses. */
export function useSecretsManagerEmulator(): string {
  Object.assign(process.env, awsEnv());
  return `test-${randomBytes(6).toString('hex')}/`;
}

/** A new, empty database in the run's PostgreSQL cluster. */
export async function freshDatabaseUrl(): Promise<string> {
  const admin = required('PROVISIONER_TEST_DATABASE_URL');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function tempDir(t: TestContext, prefix = 'provisioner-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One `keyId:<base64>` entry of PROVISIONER_SECRET_KEYS. */
export function keyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export interface SecretBackend {
  name: string;
  scheme: string;
  /** A new, empty store, closed after the test. */
  open(t: TestContext): Promise<SecretStore>;
  /** Two instances of one new, empty store, as two processes would open it. */
  openTwo(t: TestContext): Promise<[SecretStore, SecretStore]>;
}

function backend(
  name: string,
  scheme: string,
  opener: (t: TestContext) => Promise<() => Promise<SecretStore>>,
): SecretBackend {
  const opened = async (t: TestContext, open: () => Promise<SecretStore>) => {
    const store = await open();
    t.after(() => store.close());
    return store;
  };
  return {
    name,
    scheme,
    open: async (t) => opened(t, await opener(t)),
    async openTwo(t) {
      const open = await opener(t);
      return [await opened(t, open), await opened(t, open)];
    },
  };
}

export const secretBackends: SecretBackend[] = [
  backend('local files', 'local', async (t) => {
    const directory = await tempDir(t, 'provisioner-secrets-');
    const keys = keyEntry('k1');
    return () => openLocalSecretStore({ directory, keys });
  }),
  backend('AWS Secrets Manager', 'aws-sm', () => {
    const prefix = useSecretsManagerEmulator();
    return Promise.resolve(() => openAwsSecretStore({ prefix }));
  }),
];

export interface LedgerBackend {
  name: string;
  /** Where a new, empty ledger lives (open it with openLedger). */
  location(t: TestContext): Promise<{ databaseUrl?: string; sqliteFile: string }>;
}

export const ledgerBackends: LedgerBackend[] = [
  {
    name: 'SQLite',
    location: async (t) => ({ sqliteFile: join(await tempDir(t), 'ledger.sqlite') }),
  },
  {
    name: 'PostgreSQL',
    location: async () => ({
      databaseUrl: await freshDatabaseUrl(),
      sqliteFile: '/nonexistent/unused.sqlite',
    }),
  },
];

export async function openTestLedger(t: TestContext, backend: LedgerBackend): Promise<ProvisioningLedger> {
  const ledger = await openLedger(await backend.location(t));
  t.after(() => ledger.close());
  return ledger;
}
