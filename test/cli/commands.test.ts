import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mintsToken, onboardedBank } from '../support/banks.js';
import { runCli } from '../support/cli.js';
import { BankCredentialDocument } from '../../src/model/bank-credential.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications, sandboxStats, usersRefusingScopes } from '../support/idp.js';

describe('the provisioner command', () => {
  let world: TestWorld;
  let files: string;
  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
    files = await mkdtemp(join(tmpdir(), 'provisioner-cli-'));
  });
  after(async () => {
    await world.close();
    await rm(files, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const run = await runCli(args, { env: { ...process.env, ...world.env } });
    return { ...run, json: () => JSON.parse(run.stdout) as Record<string, unknown> };
  };
  const ok = async (...args: string[]) => {
    const run = await cli(...args);
    assert.equal(run.code, 0, `provisioner ${args.join(' ')} failed: ${run.stderr}`);
    return run;
  };

  it('onboard --wait --json prints the result document and nothing else on stdout', async () => {
    const bankGuid = randomGuid();
    const usersFile = join(files, 'users.yaml');
    await writeFile(usersFile, 'users:\n  - email: yaml@example.com\n    allowedScopes: [users:read]\n');
    const run = await ok(
      'onboard',
      bankGuid,
      '--user',
      'a@example.com',
      '--user',
      'b@example.com:users:read,openid',
      '--users-file',
      usersFile,
      '--wait',
      '--json',
    );
    const result = run.json();
    assert.equal(result.workflowId, `bank-${bankGuid}`);
    assert.equal(result.bankGuid, bankGuid);
    assert.equal(result.verified, true);
    const application = result.application as { clientId: string; name: string; secretRef: string };
    assert.ok(application.clientId && application.name && application.secretRef);
    const users = result.users as { email: string; guid: string; created: boolean }[];
    assert.deepEqual(users.map((u) => u.email).sort(), [
      'a@example.com',
      'b@example.com',
      'yaml@example.com',
    ]);
    assert.ok(users.every((u) => u.guid && u.created === true));

    // `secret get` prints the credential document, as the bank's services read it.
    const secret = await ok('secret', 'get', application.secretRef);
    const document = BankCredentialDocument.parse(JSON.parse(secret.stdout));
    assert.equal(document.clientId, application.clientId);
    assert.equal(document.bankGuid, bankGuid);
    assert.ok(await mintsToken(world, document.clientId, document.clientSecret));
    assert.equal(run.stdout.includes(document.clientSecret), false, 'onboard printed the secret');
  });

  it('status --json shows the latest operation', async () => {
    const bank = await onboardedBank(world);
    const status = (await ok('status', bank.bankGuid, '--json')).json() as {
      latest: { type: string; state: string };
    };
    assert.equal(status.latest.type, 'onboardBank');
    assert.equal(status.latest.state, 'COMPLETED');
  });

  it('status answers within seconds when no worker polls the task queue', async () => {
    const bankGuid = randomGuid();
    const idleQueue = `idle-${randomGuid()}`;
    // Started on a queue no worker polls: the operation runs, and nothing can answer its status query.
    await world.client.client.workflow.start('onboardBank', {
      workflowId: `bank-${bankGuid}`,
      taskQueue: idleQueue,
      args: [{ bankGuid }],
    });
    const started = Date.now();
    const run = await runCli(['status', bankGuid], {
      env: { ...process.env, ...world.env, PROVISIONER_TASK_QUEUE: idleQueue },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started < 15_000, `status took ${Date.now() - started} ms`);
    assert.match(run.stdout, /onboardBank bank-\w+: RUNNING/);
    assert.match(run.stdout, new RegExp(`is a worker polling task queue ${idleQueue}`));
    await world.client.client.workflow.getHandle(`bank-${bankGuid}`).terminate('test done');
  });

  it('status lists the first 100 failures of an operation and counts the rest', async () => {
    const refused = Array.from({ length: 102 }, (_, i) => `cli-refused-${i}@example.com`);
    await usersRefusingScopes(world, refused);
    const bankGuid = randomGuid();
    const handle = await world.client.startOnboarding({
      bankGuid,
      users: refused.map((email) => ({ email, allowedScopes: ['openid'] })),
    });
    await handle.result().catch(() => undefined);
    const lines = (await ok('status', bankGuid)).stdout.split('\n');
    assert.ok(
      lines.some((line) => line.endsWith(' — 102 failed')),
      lines.slice(0, 3).join('\n'),
    );
    assert.equal(lines.filter((line) => line.startsWith('  failed: ')).length, 100);
    assert.ok(lines.includes('  and 2 more failed'));
  });

  it('rotate --wait --json prints previousClientId, clientId and secretRef', async () => {
    const bank = await onboardedBank(world);
    const result = (await ok('rotate', bank.bankGuid, '--grace', '1s', '--wait', '--json')).json();
    assert.equal(result.bankGuid, bank.bankGuid);
    assert.equal(result.previousClientId, bank.application.clientId);
    assert.notEqual(result.clientId, result.previousClientId);
    assert.equal(result.secretRef, bank.application.secretRef);
    const status = (await ok('status', bank.bankGuid, '--json')).json() as {
      rotations: { clientId: string }[];
    };
    assert.deepEqual(
      status.rotations.map((r) => r.clientId),
      [result.clientId],
    );
  });

  it('schedule-rotation creates a schedule that status shows', async () => {
    const bankGuid = randomGuid();
    try {
      await ok('schedule-rotation', bankGuid, '--every', '90d');
      const status = (await ok('status', bankGuid, '--json')).json() as { schedule: { nextRunAt: string } };
      assert.ok(Date.parse(status.schedule.nextRunAt) > Date.now());
    } finally {
      await world.client.client.schedule.getHandle(`rotate-${bankGuid}`).delete();
    }
  });

  it('disable-user, revoke and offboard --wait --json', async () => {
    const bank = await onboardedBank(world, ['leaver@example.com', 'stayer@example.com']);
    const requestId = `cli-${randomGuid()}`;
    const disableArgs = [
      'disable-user',
      'leaver@example.com',
      '--reason',
      'left the bank',
      '--request-id',
      requestId,
    ];
    const started = (await ok(...disableArgs, '--json')).json();
    assert.equal(started.workflowId, `disable-users-${requestId}`);
    // The same request again (a caller retrying a start whose answer was lost) follows the same workflow.
    const disabled = (await ok(...disableArgs, '--wait', '--json')).json();
    assert.equal(disabled.workflowId, started.workflowId);
    assert.deepEqual(disabled.disabled, [{ user: 'leaver@example.com', guid: bank.users[0]!.guid }]);
    const revoked = (await ok('revoke', bank.bankGuid, '--reason', 'leak', '--wait', '--json')).json();
    assert.deepEqual(revoked.revokedClientIds, [bank.application.clientId]);
    const offboarded = (await ok('offboard', bank.bankGuid, '--reason', 'closed', '--wait', '--json')).json();
    assert.deepEqual((offboarded.disabledUserGuids as string[]).sort(), bank.users.map((u) => u.guid).sort());
    assert.equal((await listBankApplications(world, bank.bankGuid)).length, 0);
  });

  it('bad input: exit non-zero, one line on stderr naming the field, nothing on stdout', async () => {
    const bankGuid = randomGuid();
    const writesBefore = (await sandboxStats(world)).writes;
    for (const [names, ...args] of [
      [/^provisioner: Invalid input: bankGuid: /, 'onboard', 'not-a-guid', '--json'],
      [/users\.0\.email: must be an email address/, 'onboard', bankGuid, '--user', 'not-an-email', '--json'],
      [/users\.0\.email: .*dot-atom.*"\(" is not allowed/, 'onboard', bankGuid, '--user', 'a(b)@example.com'],
      [
        /^provisioner: Invalid input: users\.0: must be an email or a 32-hex user guid$/m,
        'disable-user',
        'not-an-email',
      ],
      [
        /application\.ipAllowlist\.0: 10\.0\.0\.1 is not a public address/,
        'onboard',
        bankGuid,
        '--ip',
        '10.0.0.1',
      ],
      [/gracePeriod: must be a duration/, 'rotate', bankGuid, '--grace', 'soon', '--json'],
      [/requestId: must be 1 to 128 letters/, 'disable-user', 'a@example.com', '--request-id', 'a b'],
      [
        /cannot read --users-file .*missing\.yaml: ENOENT/,
        'onboard',
        bankGuid,
        '--users-file',
        join(files, 'missing.yaml'),
      ],
    ] as [RegExp, ...string[]][]) {
      const run = await cli(...args);
      assert.notEqual(run.code, 0, `accepted: ${args.join(' ')}`);
      assert.equal(run.stdout, '', `printed on stdout: ${args.join(' ')}`);
      assert.equal(run.stderr.trim().split('\n').length, 1, `not one line: ${run.stderr}`);
      assert.match(run.stderr, names);
    }
    assert.equal((await sandboxStats(world)).writes, writesBefore, 'bad input reached the IdP');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    assert.equal((await ok('--version')).stdout.trim(), version);
  });
});
