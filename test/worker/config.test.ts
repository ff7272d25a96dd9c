import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, runCli } from '../support/cli.js';

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
