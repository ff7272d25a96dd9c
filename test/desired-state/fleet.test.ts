/**
 * A 50-bank manifest (3 to 5 users each) through the real `provisioner` command, the dev server, the worker
 * and the sandbox: plan lists exactly the expected actions and writes nothing; apply brings the IdP to it;
 * the next plan is empty; changes made by hand afterwards appear in the next plan and drift report, and
 * apply repairs them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { defaultApplicationName } from '../../src/model/workflow-safe/application-names.js';
import type { DriftReport } from '../../src/model/drift-report.js';
import type { BankManifest, ManifestInput } from '../../src/model/manifest.js';
import type { BankAction, BankPlan, UnmanagedUsers } from '../../src/model/plan.js';
import { currentCredential, mintsToken } from '../support/banks.js';
import { runCli } from '../support/cli.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { listBankApplications, listUsers, sandboxStats } from '../support/idp.js';
import { allowlistEntry, fleet, manifestOf } from '../support/manifests.js';

interface PlanJson {
  banks: BankPlan[];
  actions: unknown[];
  organization: { unmanagedUsers: UnmanagedUsers };
  summary: { banks: number; banksToChange: number; actions: Record<string, number> };
}

/** What a plan must say for a bank nothing exists of yet. */
const creation = (bank: BankManifest): BankAction[] => [
  {
    kind: 'create-application',
    name: defaultApplicationName(bank.bankGuid),
    ipAllowlist: bank.application!.ipAllowlist!,
    by: 'worker',
  },
  ...bank.users!.map((u): BankAction => ({
    kind: 'create-user',
    by: 'worker',
    email: u.email,
    ...(u.allowedScopes ? { allowedScopes: u.allowedScopes } : {}),
  })),
];

describe('desired state: a 50-bank manifest through the provisioner command', () => {
  let world: TestWorld;
  let files: string;
  let manifestFile: string;
  const banks = fleet(50);
  const manifest: ManifestInput = manifestOf(banks, { prune: true, confirmPrune: true });

  before(async () => {
    world = await createTestWorld();
    await world.startWorker();
    files = await mkdtemp(join(tmpdir(), 'provisioner-manifest-'));
    manifestFile = join(files, 'banks.yaml');
    await writeFile(manifestFile, stringify(manifest));
  });
  after(async () => {
    await world.close();
    await rm(files, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const run = await runCli(args, { env: { ...process.env, ...world.env } });
    assert.equal(run.code, 0, `provisioner ${args.join(' ')} failed: ${run.stderr}`);
    return run;
  };
  const json = async <T>(...args: string[]) => JSON.parse((await cli(...args, '--json')).stdout) as T;
  const plan = () => json<PlanJson>('plan', '-f', manifestFile);
  const writes = async () => (await sandboxStats(world)).writes;
  const actionsOf = (planned: PlanJson) => new Map(planned.banks.map((b) => [b.bankGuid, b.actions]));

  it('plan lists exactly the expected actions, and writes nothing', async () => {
    const before = await writes();
    const planned = await plan();
    assert.deepEqual(
      planned.banks.map((b) => b.bankGuid),
      banks.map((b) => b.bankGuid),
    );
    for (const bank of banks) assert.deepEqual(actionsOf(planned).get(bank.bankGuid), creation(bank));
    assert.deepEqual(planned.actions, []);
    assert.equal(planned.summary.banksToChange, 50);
    assert.equal(planned.summary.actions['create-user'], banks.flatMap((b) => b.users!).length);
    assert.equal(await writes(), before, 'plan wrote to the IdP');
  });

  it('apply brings the IdP to the manifest', async () => {
    const applied = await json<{ summary: { applied: number; failed: number } }>(
      'apply',
      '-f',
      manifestFile,
      '--yes',
    );
    assert.deepEqual(applied.summary, { applied: 50, busy: 0, failed: 0, skipped: 0, schedules: 0 });
    const users = new Map((await listUsers(world)).map((u) => [u.email, u]));
    for (const [i, bank] of banks.entries()) {
      const apps = await listBankApplications(world, bank.bankGuid);
      assert.equal(apps.length, 1, `bank ${i} has ${apps.length} applications`);
      assert.deepEqual(apps[0]!.ip_allowlist, [allowlistEntry(i)]);
      const credential = await currentCredential(world, bank.bankGuid);
      assert.equal(credential.clientId, apps[0]!.client_id);
      for (const spec of bank.users!) {
        const user = users.get(spec.email);
        assert.ok(user, `${spec.email} was not created`);
        assert.deepEqual(user.allowed_scopes ?? null, spec.allowedScopes ?? null);
      }
      const recorded = await world.deps.ledger.usersOf(bank.bankGuid);
      assert.deepEqual(recorded.map((u) => u.email).sort(), bank.users!.map((u) => u.email).sort());
    }
    const sample = await currentCredential(world, banks[7]!.bankGuid);
    assert.ok(await mintsToken(world, sample.clientId, sample.clientSecret));
  });

  it('a second plan is empty, and a second apply changes nothing and says so', async () => {
    const before = await writes();
    const planned = await plan();
    for (const bank of planned.banks) assert.deepEqual(bank.actions, [], `bank ${bank.bankGuid}`);
    assert.equal(planned.summary.banksToChange, 0);
    const again = await cli('apply', '-f', manifestFile, '--yes');
    assert.match(again.stdout, /^No changes: the IdP, the ledger and the schedules match manifest/m);
    const againJson = await json<{ changed: boolean }>('apply', '-f', manifestFile, '--yes');
    assert.equal(againJson.changed, false);
    assert.equal(await writes(), before, 'an empty apply wrote to the IdP');
  });

  it('changes made by hand appear in the next plan and drift report, and apply repairs them', async () => {
    const idp = world.deps.activityDeps.idp;
    const [scoped, deleted, allowlisted, joined] = banks;
    const byEmail = new Map((await listUsers(world)).map((u) => [u.email, u]));
    // A user's scopes changed, an application deleted, an allowlist changed, all in the IdP by hand.
    const victim = byEmail.get(scoped!.users![0]!.email)!;
    await idp.updateUser(victim.guid, { allowed_scopes: ['workflows:read'] });
    const [gone] = await listBankApplications(world, deleted!.bankGuid);
    await idp.deleteBankApplication(gone!.client_id);
    const [widened] = await listBankApplications(world, allowlisted!.bankGuid);
    await idp.updateBankApplication(widened!.client_id, { ip_allowlist: ['203.0.114.0/24'] });
    // A user added to a bank by hand (the ledger records it for the bank), and one created in the IdP alone.
    const extra = `extra@bank-${joined!.bankGuid.slice(0, 12)}.example.com`;
    await (
      await world.client.startOnboarding({ bankGuid: joined!.bankGuid, users: [{ email: extra }] })
    ).result();
    const stray = await idp.createUser({ email: 'stray@elsewhere.example.com' });

    const planned = await plan();
    const expected = new Map<string, BankAction[]>([
      [
        scoped!.bankGuid,
        [
          {
            kind: 'update-user-scopes',
            by: 'worker',
            email: victim.email,
            guid: victim.guid,
            from: ['workflows:read'],
            to: scoped!.users![0]!.allowedScopes!,
          },
        ],
      ],
      [
        deleted!.bankGuid,
        [
          {
            kind: 'create-application',
            by: 'worker',
            name: defaultApplicationName(deleted!.bankGuid),
            ipAllowlist: [allowlistEntry(1)],
          },
        ],
      ],
      [
        allowlisted!.bankGuid,
        [
          {
            kind: 'update-application',
            by: 'worker',
            clientId: widened!.client_id,
            ipAllowlist: { from: ['203.0.114.0/24'], to: [allowlistEntry(2)] },
          },
        ],
      ],
    ]);
    const extraGuid = (await world.deps.ledger.usersOf(joined!.bankGuid)).find(
      (u) => u.email === extra,
    )!.guid;
    expected.set(joined!.bankGuid, [{ kind: 'disable-user', by: 'worker', email: extra, guid: extraGuid }]);
    for (const bank of banks)
      assert.deepEqual(
        actionsOf(planned).get(bank.bankGuid),
        expected.get(bank.bankGuid) ?? [],
        `bank ${bank.bankGuid}`,
      );
    assert.deepEqual(planned.organization.unmanagedUsers, { count: 1, sample: [stray.email] });

    const drift = await json<DriftReport>('drift', '-f', manifestFile);
    assert.deepEqual(
      drift.banks.map((b) => [b.bankGuid, b.findings.map((f) => f.kind)]),
      [
        [scoped!.bankGuid, ['user-scopes-changed']],
        [deleted!.bankGuid, ['application-missing']],
        [allowlisted!.bankGuid, ['application-changed']],
        [joined!.bankGuid, ['user-unnamed']],
      ],
    );
    assert.equal(drift.summary.banksChecked, 50);
    assert.equal(drift.organization.unmanagedUsers.count, 1);

    const repaired = await json<{ summary: { applied: number } }>('apply', '-f', manifestFile, '--yes');
    assert.equal(repaired.summary.applied, 4);
    const after = await plan();
    for (const bank of after.banks) assert.deepEqual(bank.actions, [], `bank ${bank.bankGuid} after repair`);
    const users = new Map((await listUsers(world)).map((u) => [u.email, u]));
    assert.deepEqual(users.get(victim.email)!.allowed_scopes, scoped!.users![0]!.allowedScopes);
    assert.equal(typeof users.get(extra)!.disabled_at, 'string', `${extra} was not disabled`);
    const [replacement] = await listBankApplications(world, deleted!.bankGuid);
    const credential = await currentCredential(world, deleted!.bankGuid);
    assert.equal(credential.clientId, replacement!.client_id);
    assert.ok(await mintsToken(world, credential.clientId, credential.clientSecret));
    const [restored] = await listBankApplications(world, allowlisted!.bankGuid);
    assert.deepEqual(restored!.ip_allowlist, [allowlistEntry(2)]);
  });
});
