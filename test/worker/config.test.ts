import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { cleanEnv, runCli } from '../support/cli.js';
import { randomGuid, temporalAddress } from '../support/env.js';
import { freePort } from '../support/ports.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

describe('provisioner worker: configuration errors', () => {
  let cwd: string;
  before(async () => (cwd = await mkdtemp(join(tmpdir(), 'provisioner-config-'))));
  after(() => rm(cwd, { recursive: true, force: true }));

  const valid = {
    CYBRID_CLIENT_ID: 'client',
    CYBRID_CLIENT_SECRET: 'not-a-real-secret',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
  };

  const expectOneLineNaming = async (env: NodeJS.ProcessEnv, name: string) => {
    const run = await runCli(['worker'], { env: cleanEnv(env), cwd });
    assert.notEqual(run.code, 0);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got: ${run.stderr}`);
    assert.match(lines[0]!, new RegExp(name));
    return lines[0]!;
  };

  it('names a missing CYBRID_CLIENT_ID', async () => {
    await expectOneLineNaming({ ...valid, CYBRID_CLIENT_ID: undefined }, 'CYBRID_CLIENT_ID');
  });

  it('names a missing CYBRID_CLIENT_SECRET without printing any value', async () => {
    const line = await expectOneLineNaming(
      { ...valid, CYBRID_CLIENT_SECRET: undefined },
      'CYBRID_CLIENT_SECRET',
    );
    assert.doesNotMatch(line, /not-a-real-secret/);
  });

  it('names a malformed CYBRID_IDP_URL', async () => {
    await expectOneLineNaming({ ...valid, CYBRID_IDP_URL: 'not a url' }, 'CYBRID_IDP_URL');
  });

  it('names a malformed PROVISIONER_METRICS_ADDRESS', async () => {
    await expectOneLineNaming(
      { ...valid, PROVISIONER_METRICS_ADDRESS: 'nine' },
      'PROVISIONER_METRICS_ADDRESS',
    );
  });

  it('names a malformed PROVISIONER_USER_CONCURRENCY', async () => {
    await expectOneLineNaming(
      { ...valid, PROVISIONER_USER_CONCURRENCY: '0' },
      'PROVISIONER_USER_CONCURRENCY',
    );
  });

  it('says clearly when the Temporal server does not answer', async () => {
    const line = await expectOneLineNaming(valid, 'TEMPORAL_ADDRESS');
    assert.match(line, /127\.0\.0\.1:1/);
    assert.match(line, /not reachable|did not answer/);
  });
});

describe('provisioner worker: bad state configuration stops it before any activity runs', () => {
  let cwd: string;
  let sandbox: RunningSandbox;
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'provisioner-config-'));
    sandbox = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
  });
  after(async () => {
    await sandbox.close();
    await rm(cwd, { recursive: true, force: true });
  });

  const expectRefused = async (extra: NodeJS.ProcessEnv, pattern: RegExp) => {
    const run = await runCli(['worker'], {
      env: cleanEnv({
        HOME: cwd, // no ~/.aws of the machine running the tests
        AWS_CONFIG_FILE: join(cwd, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'none'),
        TEMPORAL_ADDRESS: temporalAddress(),
        CYBRID_IDP_URL: sandbox.url,
        CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
        CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
        PROVISIONER_TASK_QUEUE: `config-${randomGuid()}`,
        ...extra,
      }),
      cwd,
    });
    assert.notEqual(run.code, 0);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got: ${run.stderr}`);
    assert.match(lines[0]!, pattern);
    const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { requests: number };
    assert.equal(stats.requests, 0, 'the worker called the IdP');
    return lines[0]!;
  };

  it('names an unknown PROVISIONER_SECRET_STORE', async () => {
    await expectRefused(
      { PROVISIONER_SECRET_STORE: 'vault' },
      /PROVISIONER_SECRET_STORE: must be "local" or "aws"/,
    );
  });

  it('names a PROVISIONER_DATABASE_URL that is not a postgres URL', async () => {
    await expectRefused(
      { PROVISIONER_DATABASE_URL: 'mysql://u@h/db' },
      /PROVISIONER_DATABASE_URL: must be a postgres:\/\//,
    );
  });

  it('names an unreachable PROVISIONER_DATABASE_URL without its password', async () => {
    const line = await expectRefused(
      { PROVISIONER_DATABASE_URL: `postgres://u:hunter2@127.0.0.1:${await freePort()}/db` },
      /PROVISIONER_DATABASE_URL: the ledger database cannot be opened/,
    );
    assert.doesNotMatch(line, /hunter2/);
  });

  it('names AWS_REGION when the AWS secret store has no region', async () => {
    await expectRefused(
      { PROVISIONER_SECRET_STORE: 'aws', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
      /AWS_REGION is required with PROVISIONER_SECRET_STORE=aws/,
    );
  });
});

describe('provisioner worker: a namespace the Temporal server does not have', () => {
  it('stops with one line naming the command that creates it', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'provisioner-config-'));
    const sandbox = await startSandbox({ database: ':memory:' });
    try {
      const namespace = `missing-${randomGuid()}`;
      const run = await runCli(['worker'], {
        env: cleanEnv({
          TEMPORAL_ADDRESS: temporalAddress(),
          TEMPORAL_NAMESPACE: namespace,
          CYBRID_IDP_URL: sandbox.url,
          CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
          CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
        }),
        cwd,
      });
      assert.notEqual(run.code, 0);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line, got: ${run.stderr}`);
      assert.match(lines[0]!, new RegExp(`temporal operator namespace create --namespace ${namespace}`));
    } finally {
      await sandbox.close();
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
