/**
 * Activity branches in Temporal's MockActivityEnvironment (heartbeats recorded, cancellation on demand), against
 * the real sandbox over HTTP and a real secret store and ledger: no Temporal server involved.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities, type Activities } from '../../src/activities/index.js';
import type { EnsureUsersResult } from '../../src/activities/users.js';
import { parseEnv, WorkerEnv } from '../../src/config.js';
import { openDependencies, type Dependencies } from '../../src/dependencies.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import type { IdpClient } from '../../src/idp/client.js';
import { createLogger } from '../../src/log.js';
import {
  BANK_CREDENTIAL_FORMAT,
  BANK_CREDENTIAL_SCOPES,
  type BankCredentialDocument,
} from '../../src/model/bank-credential.js';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { SecretStoreError, type SecretStore } from '../../src/secrets/index.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

let counter = 0;
const email = (label: string) => `${label}-${process.pid}-${++counter}@example.com`;
const newGuid = () => randomBytes(16).toString('hex');

/**
 * A fresh activity environment (a cancelled one stays cancelled): heartbeats counted and the last details
 * kept, `cancel()` at hand.
 */
function activityEnvironment() {
  const env = new MockActivityEnvironment();
  let heartbeats = 0;
  let lastDetails: unknown;
  env.on('heartbeat', (details: unknown) => {
    heartbeats++;
    lastDetails = details;
  });
  return {
    run: <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
      env.run<A, R, typeof activity>(activity, ...args),
    cancel: () => env.cancel(),
    heartbeats: () => heartbeats,
    lastDetails: () => lastDetails,
  };
}

describe('activities in a mock activity environment (sandbox over HTTP)', () => {
  let sandbox: RunningSandbox;
  let stateDir: string;
  let deps: Dependencies;
  let activities: Activities;
  let idp: IdpClient;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
    stateDir = await mkdtemp(join(tmpdir(), 'provisioner-activities-'));
    const config = parseEnv(WorkerEnv, {
      CYBRID_IDP_URL: sandbox.url,
      CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
      CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
      PROVISIONER_STATE_DIR: stateDir,
    });
    deps = await openDependencies(config, createLogger('warn'));
    activities = createActivities(deps.activityDeps);
    idp = deps.activityDeps.idp;
  });
  after(async () => {
    await deps?.close();
    await sandbox?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  describe('ensureUsers', () => {
    it('heartbeats per user provisioned and reports a user the IdP refuses for good beside them', async () => {
      // A disabled user cannot be given other scopes: the IdP refuses for good (422).
      const refused = email('refused');
      await idp.disableUser((await idp.createUser({ email: refused })).guid);
      const fine = [email('fine'), email('fine')];
      const { run, heartbeats, lastDetails } = activityEnvironment();
      const result = await run(activities.ensureUsers, {
        bankGuid: newGuid(),
        users: [{ email: fine[0]! }, { email: refused, allowedScopes: ['openid'] }, { email: fine[1]! }],
      });
      assert.deepEqual(
        result.users.map((u) => [u.email, u.created]),
        fine.map((e) => [e, true]),
      );
      assert.deepEqual(
        result.failures.map((f) => [f.subject, f.type]),
        [[refused, 'IdpValidationError']],
      );
      // Progress is heartbeated as it is made, the last heartbeat holding an outcome for every user.
      assert.ok(heartbeats() >= 2, `${heartbeats()} heartbeats`);
      const { outcomes } = lastDetails() as { outcomes: unknown[] };
      assert.equal(outcomes.length, 3);
      assert.ok(
        outcomes.every((o) => o !== null),
        JSON.stringify(outcomes),
      );
    });

    /** The activities over the real store, with its next `failures` invite writes failing. */
    function withFailingInviteWrites(failures: number): Activities {
      const store = deps.activityDeps.secrets;
      let left = failures;
      const flaky: SecretStore = {
        scheme: store.scheme,
        ref: (name) => store.ref(name),
        put: (name, value, options) =>
          name.endsWith('/invite-url') && left-- > 0
            ? Promise.reject(new SecretStoreError('injected: the store is unavailable'))
            : store.put(name, value, options),
        get: (ref, options) => store.get(ref, options),
        versions: (ref) => store.versions(ref),
        promote: (ref, version) => store.promote(ref, version),
        revoke: (ref, version) => store.revoke(ref, version),
        close: () => Promise.resolve(),
      };
      return createActivities({ ...deps.activityDeps, secrets: flaky });
    }

    it('tries a failed invite write again: the user is created with its invite stored', async () => {
      const user = email('invite-retried');
      const { run } = activityEnvironment();
      const result = await run(withFailingInviteWrites(2).ensureUsers, {
        bankGuid: newGuid(),
        users: [{ email: user }],
      });
      assert.deepEqual(result.failures, []);
      const [provisioned] = result.users;
      assert.equal(provisioned?.created, true);
      assert.ok(provisioned.inviteRef, 'the invite was stored on a later try');
      const invite = JSON.parse((await deps.activityDeps.secrets.get(provisioned.inviteRef)).value) as {
        email: string;
        inviteUrl: string;
      };
      assert.equal(invite.email, user);
      assert.ok(invite.inviteUrl);
    });

    it('reports a user whose invite cannot be stored as InviteNotStored, still recorded for its bank', async () => {
      const user = email('invite-lost');
      const bankGuid = newGuid();
      const { run } = activityEnvironment();
      const result = await run(withFailingInviteWrites(3).ensureUsers, {
        bankGuid,
        users: [{ email: user }],
      });
      assert.deepEqual(result.users, []);
      const [failure] = result.failures;
      assert.equal(failure?.subject, user);
      assert.equal(failure.type, 'InviteNotStored');
      assert.match(failure.message, /3 tries: injected: the store is unavailable/);
      assert.doesNotMatch(failure.message, /https?:/, 'the failure holds no invite URL');
      // The user exists at the IdP: the ledger knows it, so offboarding the bank disables it.
      const recorded = await deps.activityDeps.ledger.usersOf(bankGuid);
      assert.deepEqual(
        recorded.map((u) => u.email),
        [user],
      );
    });

    it('refuses a user the IdP answers 409 for but never lists, after five walks of the user list', async () => {
      const taken = email('taken');
      const input = { bankGuid: newGuid(), users: [{ email: taken }, { email: email('free') }] };
      sandbox.setFaults({ takenEmails: [taken] });
      try {
        let heartbeatDetails: unknown;
        const attempt = () => {
          const env = new MockActivityEnvironment(heartbeatDetails === undefined ? {} : { heartbeatDetails });
          env.on('heartbeat', (details: unknown) => (heartbeatDetails = details));
          return env.run<[typeof input], EnsureUsersResult, typeof activities.ensureUsers>(
            activities.ensureUsers,
            input,
          );
        };
        for (let walks = 1; walks < 5; walks++) {
          await assert.rejects(
            attempt(),
            (err) => err instanceof ApplicationFailure && err.type === 'UserNotListed' && !err.nonRetryable,
          );
          assert.equal((heartbeatDetails as { fruitlessWalks: number }).fruitlessWalks, walks);
        }
        const result = await attempt();
        assert.deepEqual(
          result.users.map((u) => [u.email, u.created]),
          [[input.users[1]!.email, true]],
        );
        assert.deepEqual(
          result.failures.map((f) => [f.subject, f.type]),
          [[taken, 'UserNotListed']],
        );
      } finally {
        sandbox.setFaults({ takenEmails: [] });
      }
    });

    it('fails the whole batch, retryably, on a transient IdP error', async () => {
      await idp.token(); // the fault should hit the user calls, not the token
      sandbox.setFaults({ errorRate: 1 });
      try {
        const { run } = activityEnvironment();
        await assert.rejects(
          run(activities.ensureUsers, { bankGuid: newGuid(), users: [{ email: email('flaky') }] }),
          (err) => err instanceof ApplicationFailure && err.type === 'IdpUnavailable' && !err.nonRetryable,
        );
      } finally {
        sandbox.setFaults({ errorRate: 0 });
      }
    });

    it('stops its IdP calls at once when cancelled', async () => {
      await idp.token();
      sandbox.setFaults({ latencyMs: 2_000 });
      try {
        const { run, cancel } = activityEnvironment();
        const started = Date.now();
        const running = run(activities.ensureUsers, {
          bankGuid: newGuid(),
          users: [{ email: email('cancelled') }, { email: email('cancelled') }],
        });
        setTimeout(cancel, 100);
        await assert.rejects(running, CancelledFailure);
        assert.ok(Date.now() - started < 1_500, 'the IdP calls were not aborted');
      } finally {
        sandbox.setFaults({ latencyMs: 0 });
      }
    });
  });

  it('disableUserBatch disables a user and counts an unknown one as done, heartbeating as it goes (at most once a second)', async () => {
    const user = await idp.createUser({ email: email('leaver') });
    const { run, heartbeats } = activityEnvironment();
    await run(activities.disableUserBatch, { guids: [user.guid, newGuid()] });
    assert.ok((await idp.getUser(user.guid)).disabled_at, 'the user is not disabled');
    assert.equal(heartbeats(), 1, 'two users done within a second: one heartbeat');
  });

  it('resolveUsers refuses for good, naming every unknown email', async () => {
    const known = await idp.createUser({ email: email('known') });
    const unknown = [email('unknown'), email('unknown')];
    const { run } = activityEnvironment();
    await assert.rejects(
      run(activities.resolveUsers, { users: [known.email, ...unknown] }),
      (err) =>
        err instanceof ApplicationFailure &&
        err.type === 'UnknownUser' &&
        err.nonRetryable &&
        unknown.every((e) => err.message.includes(e)),
    );
  });

  it('verifyBankCredential refuses a stored secret that belongs to another application', async () => {
    const bankGuid = newGuid();
    const document: BankCredentialDocument = {
      format: BANK_CREDENTIAL_FORMAT,
      bankGuid,
      clientId: 'the-other-application',
      clientSecret: 'some-secret',
      tokenUrl: deps.activityDeps.tokenUrl,
      scopes: [...BANK_CREDENTIAL_SCOPES],
      applicationName: 'another application',
      createdAt: new Date().toISOString(),
    };
    const { version } = await deps.secrets.put(bankCredentialSecretName(bankGuid), JSON.stringify(document), {
      stage: 'pending',
    });
    const { run } = activityEnvironment();
    await assert.rejects(
      run(activities.verifyBankCredential, {
        bankGuid,
        clientId: 'this-application',
        secretVersion: version,
      }),
      (err) => err instanceof ApplicationFailure && err.type === 'CredentialMismatch' && err.nonRetryable,
    );
  });

  describe('desired state', () => {
    const requests = async () =>
      ((await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { requests: number }).requests;

    it('observeBanks lists each bank once, and returns what the store holds without its secrets', async () => {
      const bankGuids = [newGuid(), newGuid(), newGuid()];
      const created = await idp.createBankApplication({ name: 'seen', bank_guid: bankGuids[0]! });
      await idp.token();
      const before = await requests();
      const { run, heartbeats } = activityEnvironment();
      const observed = await run(activities.observeBanks, { bankGuids });
      assert.equal((await requests()) - before, 3, 'not one list request per bank');
      assert.equal(heartbeats(), 3);
      assert.deepEqual(
        observed.map((bank) => [bank.bankGuid, bank.applications.map((a) => a.clientId)]),
        [
          [bankGuids[0], [created.client_id]],
          [bankGuids[1], []],
          [bankGuids[2], []],
        ],
      );
      assert.ok(!JSON.stringify(observed).includes(created.secret));
    });

    it('observeOrganizationUsers walks each page once, keeping the named users and counting the others', async () => {
      const seeded = await fetch(`${sandbox.url}/__sandbox/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 250, emailPrefix: `walk-${process.pid}-` }),
      });
      const { total } = (await seeded.json()) as { total: number };
      const named = `walk-${process.pid}-7@seed.example.com`;
      await idp.token();
      const before = await requests();
      const { run, heartbeats } = activityEnvironment();
      const { users, unmanaged } = await run(activities.observeOrganizationUsers, {
        emails: [named],
        guids: [],
      });
      const pages = Math.ceil(total / 100);
      assert.equal((await requests()) - before, pages, 'not one request per page');
      assert.equal(heartbeats(), pages);
      assert.deepEqual(
        users.map((u) => u.email),
        [named],
      );
      // Disabled users (earlier tests disabled some) are not counted.
      assert.ok(unmanaged.count >= 249 && unmanaged.count < total, `${unmanaged.count} of ${total}`);
      assert.equal(unmanaged.sample.length, 20);
    });
  });
});
