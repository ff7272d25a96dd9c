/**
 * Many workers, many hosts: two worker processes with their own state directories (nothing shared on disk)
 * and the shared stores (Secrets Manager, PostgreSQL, the payload key) onboard 50 banks with 3 users each and
 * rotate 10 of them, on an IdP that loses responses and answers 5xx, while one worker is killed with SIGKILL.
 * The outcome is the one a single worker gives.
 */
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ProvisionerClient } from '../../src/client/index.js';
import { dataConverterFor } from '../../src/codec/index.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { createIdpClient } from '../../src/idp/client.js';
import { parseKeyring } from '../../src/keyring.js';
import type { OnboardBankResult, RotateBankCredentialsResult } from '../../src/model/contract.js';
import type { Application, User } from '../../src/model/idp-schemas.js';
import { startCli } from '../support/cli.js';
import { randomGuid, temporalAddress } from '../support/env.js';
import { freshDatabaseUrl, keyEntry, tempDir, useSecretsManagerEmulator } from '../support/stores.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

const BANKS = 50;
const USERS_PER_BANK = 3;
const ROTATED = 10;
const READER = fileURLToPath(new URL('../support/read-credentials.ts', import.meta.url));

describe('two worker processes on shared stores, a faulty IdP and a SIGKILL', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await startSandbox({
      database: ':memory:',
      contract: WRITING_CONTRACT,
      faults: { lostResponseRate: 0.1, errorRate: 0.05, seed: 11 },
    });
  });
  after(() => sandbox.close());

  it('gives every bank exactly one working application and every user once', async (t) => {
    const prefix = useSecretsManagerEmulator();
    const codecKeys = keyEntry('k1');
    const taskQueue = `many-${randomGuid().slice(0, 12)}`;
    const shared: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      CYBRID_IDP_URL: sandbox.url,
      CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
      CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
      PROVISIONER_TASK_QUEUE: taskQueue,
      PROVISIONER_SECRET_STORE: 'aws',
      PROVISIONER_AWS_SECRET_PREFIX: prefix,
      PROVISIONER_DATABASE_URL: await freshDatabaseUrl(),
      PROVISIONER_CODEC_KEYS: codecKeys,
      PROVISIONER_ORPHAN_GRACE_MS: '3000',
      PROVISIONER_WORKFLOW_BUNDLE: process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE,
    };
    const startWorker = async () => {
      const worker = startCli(['worker'], { env: { ...shared, PROVISIONER_STATE_DIR: await tempDir(t) } });
      t.after(() => void (worker.child.exitCode === null && worker.child.kill('SIGKILL')));
      while (!worker.output().stdout.includes('worker started')) {
        assert.equal(worker.child.exitCode, null, `worker exited: ${worker.output().stderr}`);
        await sleep(50);
      }
      return worker;
    };
    const [doomed, survivor] = [await startWorker(), await startWorker()];

    const connection = await Connection.connect({ address: temporalAddress() });
    t.after(() => connection.close());
    const client = new ProvisionerClient({
      connection,
      namespace: 'default',
      taskQueue,
      dataConverter: dataConverterFor(parseKeyring(codecKeys, 'PROVISIONER_CODEC_KEYS')),
    });

    // Every client id ever seen as AWSCURRENT, read the way a bank's service reads it.
    const banks = Array.from({ length: BANKS }, () => randomGuid());
    const everCurrent = new Map(banks.map((b) => [b, new Set<string>()]));
    const sm = new SecretsManagerClient({});
    t.after(() => sm.destroy());
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const bankGuid of banks) {
          const secret = await sm
            .send(new GetSecretValueCommand({ SecretId: `${prefix}banks/${bankGuid}/credential` }))
            .catch(() => undefined);
          if (secret?.SecretString) {
            everCurrent
              .get(bankGuid)!
              .add((JSON.parse(secret.SecretString) as { clientId: string }).clientId);
          }
        }
        await sleep(250);
      }
    })();

    let completed = 0;
    const rotations: Promise<RotateBankCredentialsResult>[] = [];
    const onboardings = banks.map(async (bankGuid, i) => {
      const handle = await client.startOnboarding({
        bankGuid,
        users: Array.from({ length: USERS_PER_BANK }, (_, u) => ({ email: `u${u}-${bankGuid}@example.com` })),
      });
      const result: OnboardBankResult = await handle.result();
      completed++;
      if (i < ROTATED) {
        rotations[i] = client.startRotation({ bankGuid, gracePeriod: '1s' }).then((h) => h.result());
      }
      return result;
    });
    while (completed < 12) await sleep(100);
    doomed.child.kill('SIGKILL');
    const onboarded = await Promise.all(onboardings);
    while (rotations.filter(Boolean).length < ROTATED) await sleep(100);
    const rotated = await Promise.all(rotations);
    watching = false;
    await watcher;
    assert.equal(survivor.child.exitCode, null, 'the surviving worker stopped');

    // What the IdP holds: exactly one application per bank (the rotated one where rotated), every user once.
    sandbox.setFaults({ lostResponseRate: 0, errorRate: 0 });
    const idp = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: ['banks:read', 'users:read'],
    });
    const finalClientIds = new Map<string, string>();
    for (const [i, bankGuid] of banks.entries()) {
      const apps: Application[] = [];
      for await (const app of idp.listAllBankApplications({ bankGuid })) apps.push(app);
      assert.equal(apps.length, 1, `bank ${bankGuid} has ${apps.length} applications`);
      const expected = i < ROTATED ? rotated[i]!.clientId : onboarded[i]!.application.clientId;
      assert.equal(apps[0]!.client_id, expected);
      finalClientIds.set(bankGuid, expected);
      // No application that was ever current is gone, unless a finished rotation replaced it.
      for (const clientId of everCurrent.get(bankGuid)!) {
        assert.ok(
          clientId === expected || (i < ROTATED && clientId === rotated[i]!.previousClientId),
          `bank ${bankGuid}: ${clientId} was current and is gone`,
        );
      }
    }
    const users: User[] = [];
    for await (const user of idp.listAllUsers({})) users.push(user);
    const emails = users.map((u) => u.email);
    for (const bankGuid of banks) {
      for (let u = 0; u < USERS_PER_BANK; u++) {
        const email = `u${u}-${bankGuid}@example.com`;
        assert.equal(emails.filter((e) => e === email).length, 1, `${email} is not there exactly once`);
      }
    }

    // A third process with a fresh state directory reads each stored credential and mints a token with it.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', READER, ...banks], {
      env: { ...shared, PROVISIONER_STATE_DIR: await tempDir(t) },
    });
    const minted = JSON.parse(stdout) as Record<string, { clientId: string; minted: boolean }>;
    for (const bankGuid of banks) {
      assert.deepEqual(minted[bankGuid], { clientId: finalClientIds.get(bankGuid), minted: true }, bankGuid);
    }
  });
});
