/**
 * Bad manifests through the real `provisioner` command: each is refused with one line naming every problem
 * by its path, before anything connects (the same refusal with Temporal unreachable), and the IdP sees no
 * write. Also: apply does nothing without --yes when there is no terminal to ask on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { sandboxStats } from '../support/idp.js';
import { badManifests, fleet, manifestOf } from '../support/manifests.js';

describe('bad manifests are refused by plan, apply and drift, naming each path, with no IdP write', () => {
  let world: TestWorld;
  let files: string;
  let writesBefore: number;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
    files = await mkdtemp(join(tmpdir(), 'provisioner-bad-manifests-'));
    writesBefore = (await sandboxStats(world)).writes;
  });
  after(async () => {
    assert.equal((await sandboxStats(world)).writes, writesBefore, 'a refused manifest reached the IdP');
    await world.close();
    await rm(files, { recursive: true, force: true });
  });

  const refused = async (args: string[], names: RegExp[], env: NodeJS.ProcessEnv = {}) => {
    const run = await runCli(args, { env: { ...process.env, ...world.env, ...env } });
    assert.notEqual(run.code, 0, `accepted: ${args.join(' ')}`);
    assert.equal(run.stdout, '', `printed on stdout: ${run.stdout}`);
    assert.equal(run.stderr.trim().split('\n').length, 1, `not one line: ${run.stderr}`);
    for (const name of names) assert.match(run.stderr, name);
  };

  const cases = badManifests();
  assert.ok(cases.length >= 15);
  // Independent commands: a few at once.
  describe('each bad manifest', { concurrency: 4 }, () => {
    for (const [i, { name, manifest, paths }] of cases.entries()) {
      it(`${name}: ${paths.join(', ')}`, async () => {
        const file = join(files, `bad-${i}.yaml`);
        await writeFile(file, stringify(manifest));
        const command = (['plan', 'apply', 'drift'] as const)[i % 3]!;
        const names = paths.map((path) => new RegExp(`(: |; )${path.replaceAll('.', '\\.')}: `));
        const args = [command, '-f', file, '--json', ...(command === 'apply' ? ['--yes'] : [])];
        // Temporal unreachable: the manifest is refused before anything connects.
        await refused(
          args,
          [new RegExp(`^provisioner: Invalid manifest ${file.replaceAll('.', '\\.')}: `), ...names],
          { TEMPORAL_ADDRESS: '127.0.0.1:1' },
        );
      });
    }
  });

  it('a file that is not YAML, and a missing file, are one line naming -f', async () => {
    const file = join(files, 'broken.yaml');
    await writeFile(file, 'banks: [\n  - bankGuid: {\n');
    await refused(['plan', '-f', file], [/-f .*broken\.yaml is neither JSON nor YAML/]);
    await refused(['plan', '-f', join(files, 'missing.yaml')], [/cannot read -f .*missing\.yaml: ENOENT/]);
  });

  it('apply without --yes, with no terminal to ask on, shows the plan and changes nothing', async () => {
    const file = join(files, 'good.yaml');
    await writeFile(file, stringify(manifestOf(fleet(2))));
    const run = await runCli(['apply', '-f', file], { env: { ...process.env, ...world.env } });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^Plan: 2 of 2 banks to change/m);
    assert.match(run.stderr, /^provisioner: apply changes the IdP: confirm with --yes/);
  });

  it('apply skips a bank the plan cannot apply, names why, and exits non-zero', async () => {
    const [bank] = fleet(1);
    const file = join(files, 'past.yaml');
    const expired = { ...bank!, application: { expiresAt: '2020-01-01T00:00:00Z' } };
    await writeFile(file, stringify(manifestOf([expired])));
    const run = await runCli(['apply', '-f', file, '--yes'], { env: { ...process.env, ...world.env } });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /! not applied: application\.expiresAt 2020-01-01T00:00:00Z has passed: set a later one/,
    );
    assert.match(run.stdout, /^Applied: 0 banks reconciled, 0 busy, 0 failed, 1 skipped/m);
    assert.match(run.stderr, /^provisioner: apply of manifest .* left 0 banks failed, 0 busy and 1 skipped/);
  });

  it('a plan the worker cannot make is one line naming the cause', async () => {
    const locked = await createTestWorld({
      sandbox: world.sandbox,
      env: { CYBRID_CLIENT_SECRET: 'not-the-secret' },
    });
    try {
      await locked.startWorker();
      const file = join(files, 'locked.yaml');
      await writeFile(file, stringify(manifestOf(fleet(1), { name: 'locked' })));
      const run = await runCli(['plan', '-f', file], { env: { ...process.env, ...locked.env } });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^provisioner: plan of manifest locked failed: Idp\w+: /);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    } finally {
      await locked.close();
    }
  });
});
