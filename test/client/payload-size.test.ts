import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { InvalidInputError } from '../../src/client/index.js';
import { USER_SCOPES } from '../../src/model/idp-scopes.js';
import { runCli } from '../support/cli.js';
import { emailOfLength } from '../support/emails.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { sandboxStats } from '../support/idp.js';

const LIMIT = /over Temporal's payload limit of 2\.00 MiB \(2097152 bytes\); split it over several requests/;

/** A 254-character address with as little to compress as an address can have. */
const ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-";
const LDH = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const random = (chars: string, n: number) =>
  Array.from({ length: n }, () => chars[randomInt(chars.length)]).join('');
const randomEmail = () => `${random(ATEXT, 64)}@${random(LDH, 63)}.${random(LDH, 63)}.${random(LDH, 57)}.com`;

describe('inputs and results of any size the contract allows fit, or are refused before the start', () => {
  let world: TestWorld;
  let files: string;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
    files = await mkdtemp(join(tmpdir(), 'provisioner-size-'));
  });
  after(async () => {
    await world.close();
    await rm(files, { recursive: true, force: true });
  });

  const refusedBeforeStart = async (input: object, names: RegExp) => {
    const bankGuid = randomGuid();
    const writes = (await sandboxStats(world)).writes;
    await assert.rejects(world.client.startOnboarding({ bankGuid, ...input }), (err: unknown) => {
      assert.ok(err instanceof InvalidInputError);
      assert.match(err.message, names);
      return true;
    });
    await assert.rejects(
      world.client.client.workflow.getHandle(`bank-${bankGuid}`).describe(),
      WorkflowNotFoundError,
    );
    assert.equal((await sandboxStats(world)).writes, writes);
  };

  it('refuses 10,000 users whose input cannot fit, naming the limit', async () => {
    const users = Array.from({ length: 10_000 }, () => ({
      email: randomEmail(),
      allowedScopes: USER_SCOPES.filter(() => randomInt(2) === 1),
    }));
    await refusedBeforeStart(
      { users },
      new RegExp(`^Invalid input: users: the input is 2\\.\\d\\d MiB once encoded, ${LIMIT.source}`),
    );
  });

  it('refuses 10,000 users whose input fits but whose result could not', async () => {
    const users = Array.from({ length: 10_000 }, () => ({ email: randomEmail() }));
    await refusedBeforeStart(
      { users },
      new RegExp(
        `^Invalid input: users: the result would take up to 2\\.\\d\\d MiB once encoded, ${LIMIT.source}`,
      ),
    );
  });

  it('starts a 2.3 MB users file of 9,500 users from the CLI', async () => {
    const usersFile = join(files, 'users.json');
    const users = Array.from({ length: 9_500 }, (_, i) => ({ email: emailOfLength(230, `user-${i}`) }));
    await writeFile(usersFile, JSON.stringify({ users }, null, 1));
    assert.ok((await stat(usersFile)).size > 2.3e6);
    const bankGuid = randomGuid();
    const run = await runCli(['onboard', bankGuid, '--users-file', usersFile, '--json'], {
      env: { ...process.env, ...world.env },
    });
    assert.equal(run.code, 0, run.stderr);
    const handle = world.client.client.workflow.getHandle(`bank-${bankGuid}`);
    try {
      assert.equal((await handle.describe()).status.name, 'RUNNING');
    } finally {
      await handle.terminate('the start was what this test checks');
    }
  });

  it('refuses from the CLI in one line naming the limit', async () => {
    const usersFile = join(files, 'random.json');
    await writeFile(
      usersFile,
      JSON.stringify(Array.from({ length: 10_000 }, () => ({ email: randomEmail() }))),
    );
    const run = await runCli(['onboard', randomGuid(), '--users-file', usersFile, '--json'], {
      env: { ...process.env, ...world.env },
    });
    assert.notEqual(run.code, 0);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, LIMIT);
  });
});
