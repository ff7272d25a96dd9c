import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BankCredentialDocument } from '../../src/model/bank-credential.js';
import { cleanEnv, runCli, startCli } from '../support/cli.js';
import { randomGuid } from '../support/env.js';
import { freePort } from '../support/ports.js';

describe('provisioner dev: the embedded default', () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let ports: { temporal: number; ui: number; sandbox: number; api: number };
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'provisioner-dev-'));
    ports = {
      temporal: await freePort(),
      ui: await freePort(),
      sandbox: await freePort(),
      api: await freePort(),
    };
    // No TEMPORAL_ADDRESS: the commands run beside dev find its server on the port it took, as the README's
    // example does.
    env = cleanEnv({ TEMPORAL_CLI_PATH: process.env.PROVISIONER_TEST_TEMPORAL_CLI });
  });
  after(() => rm(cwd, { recursive: true, force: true }));

  const startDev = async (...extra: string[]) => {
    const dev = startCli(
      [
        'dev',
        ...extra,
        '--temporal-port',
        String(ports.temporal),
        '--ui-port',
        String(ports.ui),
        '--sandbox-port',
        String(ports.sandbox),
        '--api-port',
        String(ports.api),
      ],
      { env, cwd },
    );
    const deadline = Date.now() + 120_000;
    while (!dev.output().stderr.includes('Ctrl-C stops everything')) {
      assert.equal(dev.child.exitCode, null, `dev exited: ${dev.output().stderr}`);
      assert.ok(Date.now() < deadline, 'dev did not start');
      await sleep(100);
    }
    return dev;
  };
  const stop = async (dev: ReturnType<typeof startCli>) => {
    dev.child.kill('SIGINT');
    const exit = await dev.done;
    assert.equal(exit.code, 0, `dev exit ${exit.code} ${exit.signal}: ${exit.stderr.slice(-2000)}`);
  };

  const bankGuid = randomGuid();

  it('starts everything, onboards from a second process on today’s IdP, and stops cleanly on Ctrl-C', async () => {
    const dev = await startDev();
    try {
      assert.match(dev.output().stderr, new RegExp(`Temporal Web UI: +http://127\\.0\\.0\\.1:${ports.ui}`));
      assert.match(dev.output().stderr, /writes with the Portal token/);
      assert.match(
        dev.output().stderr,
        new RegExp(`Partner Portal: +http://127\\.0\\.0\\.1:${ports.sandbox}/portal`),
      );
      assert.equal((await fetch(`http://127.0.0.1:${ports.sandbox}/portal`)).status, 200);
      assert.match(dev.output().stderr, /CLI temporal version \d+\.\d+/, 'dev names the real CLI version');
      assert.match(
        dev.output().stderr,
        new RegExp(
          `TEMPORAL_ADDRESS=127\\.0\\.0\\.1:${ports.temporal} PROVISIONER_STATE_DIR=\\S+ npx provisioner`,
        ),
        'dev prints the commands for the ports it took',
      );
      const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
      assert.equal(ui.status, 200);
      const run = await runCli(['onboard', bankGuid, '--user', 'a@example.com', '--wait', '--json'], {
        env,
        cwd,
      });
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout) as {
        application: { secretRef: string };
        users: { created: boolean }[];
        verified: boolean;
      };
      // The sandbox speaks 0.129.1425 (its API key may only read): the worker wrote with the Portal token.
      assert.deepEqual(
        result.users.map((u) => u.created),
        [true],
      );
      assert.equal(result.verified, true);
      const secret = await runCli(['secret', 'get', result.application.secretRef], { env, cwd });
      assert.equal(secret.code, 0, secret.stderr);
      assert.equal(BankCredentialDocument.parse(JSON.parse(secret.stdout)).bankGuid, bankGuid);

      // A rotation creates and deletes with the Portal token too.
      const rotated = await runCli(['rotate', bankGuid, '--grace', '1s', '--wait', '--json'], { env, cwd });
      assert.equal(rotated.code, 0, rotated.stderr);
      const rotation = JSON.parse(rotated.stdout) as { previousClientId: string; clientId: string };
      assert.notEqual(rotation.clientId, rotation.previousClientId);

      // The HTTP API is part of dev, with keys made by the CLI beside it.
      const created = await runCli(['api-key', 'create', '--name', 'dev', '--allow', 'read', '--json'], {
        env,
        cwd,
      });
      assert.equal(created.code, 0, created.stderr);
      const { key } = JSON.parse(created.stdout) as { key: string };
      const bank = await fetch(`http://127.0.0.1:${ports.api}/v1/banks/${bankGuid}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(bank.status, 200);
      assert.equal(((await bank.json()) as { latest: { state: string } }).latest.state, 'completed');
    } finally {
      await stop(dev);
    }
    await assert.rejects(access(join(cwd, '.provisioner', 'dev-session.json')), { code: 'ENOENT' });
    // Logs for a person: one readable line each, no JSON, no statistics of the workflow bundler.
    const { stdout, stderr } = dev.output();
    assert.match(stdout, /^\[\d\d:\d\d:\d\d\] INFO: Worker state changed .*"RUNNING"/m);
    assert.doesNotMatch(stdout, /^\{"level"/m);
    assert.doesNotMatch(stdout + stderr, /webpack|Workflow bundle created/);
  });

  it('keeps workflows and IdP state across a restart', async () => {
    const dev = await startDev();
    try {
      const status = await runCli(['status', bankGuid, '--json'], { env, cwd });
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as { latest: { state: string } }).latest.state, 'COMPLETED');
      const again = await runCli(['onboard', bankGuid, '--user', 'a@example.com', '--wait', '--json'], {
        env,
        cwd,
      });
      assert.equal(again.code, 0, again.stderr);
      assert.equal((JSON.parse(again.stdout) as { users: { created: boolean }[] }).users[0]!.created, false);
    } finally {
      await stop(dev);
    }
  });

  it('with --assisted a person does the writes: the Portal page, credential submit, tasks check; a restart of everything while the task is open changes nothing', async () => {
    let dev = await startDev('--assisted');
    const cli = async (args: string[], input?: string) => {
      const run = await runCli(args, { env, cwd, input });
      assert.equal(run.code, 0, `provisioner ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    const portalForm = (path: string, form: Record<string, string>) =>
      fetch(`http://127.0.0.1:${ports.sandbox}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
    try {
      assert.match(dev.output().stderr, /writes left to a person \(--assisted\)/);
      const assistedBank = randomGuid();
      await cli(['onboard', assistedBank, '--user', 'person@example.com']);
      type Listed = { tasks: { kind: string; instructions: string; values: Record<string, string> }[] };
      const tasksOf = async () =>
        (JSON.parse(await cli(['tasks', '--bank', assistedBank, '--json'])) as Listed).tasks;
      let tasks = await tasksOf();
      for (let i = 0; i < 100 && tasks.length === 0; i++) {
        await sleep(100);
        tasks = await tasksOf();
      }
      const [opened] = tasks;
      assert.equal(opened?.kind, 'create-bank-api-key');

      // The Temporal server, the worker and the IdP stop and start again: the task waits on, the same.
      await stop(dev);
      dev = await startDev('--assisted');
      const [task] = await tasksOf();
      assert.deepEqual(task, opened);
      assert.match(task!.instructions, /Partner Portal/);

      // The person, on the sandbox's Portal page: the key, its secret shown once, handed over on stdin.
      const page = await (
        await portalForm(`/portal/banks/${assistedBank}/api-keys`, {
          name: task!.values.name!,
          ip_allowlist: '',
          expires_on: task!.values.expiresAt!.slice(0, 10),
        })
      ).text();
      const clientId = /id="new-client-id">([^<]+)</.exec(page)?.[1];
      const secret = /id="new-secret">([^<]+)</.exec(page)?.[1];
      assert.ok(clientId && secret, 'the Portal page shows the new key');
      const submitted = await cli(['credential', 'submit', assistedBank, '--client-id', clientId], secret);
      assert.match(submitted, /accepted/);
      assert.equal(submitted.includes(secret), false);

      // Then, once the invite task is open, invites the user; `tasks check` makes the operation look at once.
      for (let i = 0; i < 100 && !(await tasksOf()).some((t) => t.kind === 'invite-users'); i++)
        await sleep(100);
      await portalForm(`/portal/users?bank_guid=${assistedBank}`, { email: 'person@example.com' });
      let open: unknown[] | undefined;
      for (let i = 0; i < 100 && open === undefined; i++) {
        const run = await runCli(['tasks', 'check', assistedBank, '--json'], { env, cwd });
        if (run.code === 0) open = (JSON.parse(run.stdout) as { open: unknown[] }).open;
        else await sleep(100);
      }
      assert.deepEqual(open, []);
      let state = '';
      for (let i = 0; i < 100 && state !== 'COMPLETED'; i++) {
        state = (JSON.parse(await cli(['status', assistedBank, '--json'])) as { latest: { state: string } })
          .latest.state;
        if (state !== 'COMPLETED') await sleep(100);
      }
      assert.equal(state, 'COMPLETED');
    } finally {
      await stop(dev);
    }
  });
});
