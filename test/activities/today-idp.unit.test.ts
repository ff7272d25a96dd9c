/**
 * The application activities on today's IdP: the sandbox on contract 0.129.1425, the worker configured as
 * `provisioner dev` configures it (its write token command asks the sandbox's Portal for a person's token,
 * through the real `provisioner sandbox portal-token`), with a key lifetime of its own.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../src/activities/index.js';
import { readCredential } from '../../src/activities/credential-documents.js';
import { parseEnv, WorkerEnv } from '../../src/config.js';
import { openDependencies, WORKER_SCOPES, type Dependencies } from '../../src/dependencies.js';
import { portalTokenCommandOf } from '../../src/dev/run-dev.js';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { createIdpClient } from '../../src/idp/client.js';
import { runWriteTokenCommand } from '../../src/idp/write-token-command.js';
import { createLogger } from '../../src/log.js';
import { markedApplicationName } from '../../src/model/workflow-safe/application-names.js';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';

const DAY_MS = 86_400_000;
const newGuid = () => randomBytes(16).toString('hex');
const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
  new MockActivityEnvironment().run<A, R, typeof activity>(activity, ...args);

describe('application activities on a 0.129.1425 IdP with the Portal token as write token source', () => {
  let sandbox: RunningSandbox;
  let stateDir: string;
  let deps: Dependencies;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: '0.129.1425' });
    stateDir = await mkdtemp(join(tmpdir(), 'provisioner-today-'));
    const config = parseEnv(WorkerEnv, {
      CYBRID_IDP_URL: sandbox.url,
      CYBRID_CLIENT_ID: sandbox.orgCredentials.clientId,
      CYBRID_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
      PROVISIONER_STATE_DIR: stateDir,
      PROVISIONER_KEY_LIFETIME: '30d',
      CYBRID_IDP_WRITE_TOKEN_COMMAND: portalTokenCommandOf(sandbox.url),
    });
    deps = await openDependencies(config, createLogger('warn'));
  });
  after(async () => {
    await deps?.close();
    await sandbox?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('creates the bank’s application expiring after PROVISIONER_KEY_LIFETIME and records the IdP’s expiry', async () => {
    const bankGuid = newGuid();
    const before = Date.now();
    const activities = createActivities(deps.activityDeps);
    const credential = await run(activities.ensureBankApplication, {
      bankGuid,
      name: `bank-${bankGuid}`,
    });
    const [app] = (await deps.activityDeps.idp.listBankApplications({ bankGuid })).objects;
    assert.ok(app);
    assert.equal(app.client_id, credential.clientId);
    assert.equal(app.guid?.length, 32);
    const expires = Date.parse(app.expires_at!);
    assert.ok(expires >= before + 30 * DAY_MS && expires <= Date.now() + 30 * DAY_MS, app.expires_at!);
    const document = await readCredential(
      deps.secrets,
      bankCredentialSecretName(bankGuid),
      credential.secretVersion,
    );
    assert.equal(document.expiresAt, app.expires_at);
  });

  it('deletes an orphan of its own operation by the guid the IdP gave it', async () => {
    const bankGuid = newGuid();
    const name = markedApplicationName(`bank-${bankGuid}`, 'orphan-test');
    const writer = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: WORKER_SCOPES,
      writeTokenSource: () =>
        runWriteTokenCommand({ command: portalTokenCommandOf(sandbox.url), timeoutMs: 30_000 }),
    });
    // A create whose response was lost: the application exists, its secret was never stored.
    const orphan = await writer.createBankApplication({ name, bank_guid: bankGuid });

    const paths: string[] = [];
    const recording = createIdpClient({
      baseUrl: sandbox.url,
      clientId: sandbox.orgCredentials.clientId,
      clientSecret: sandbox.orgCredentials.clientSecret,
      scopes: WORKER_SCOPES,
      writeTokenSource: () =>
        runWriteTokenCommand({ command: portalTokenCommandOf(sandbox.url), timeoutMs: 30_000 }),
      fetch: async (input, init) => {
        const request = new Request(input, init);
        paths.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
    const activities = createActivities({ ...deps.activityDeps, idp: recording, orphanGraceMs: 0 });
    const credential = await run(activities.ensureBankApplication, {
      bankGuid,
      name,
    });
    assert.notEqual(credential.clientId, orphan.client_id);
    assert.ok(paths.includes(`DELETE /api/bank_applications/${orphan.guid}`), paths.join('\n'));
    const left = (await deps.activityDeps.idp.listBankApplications({ bankGuid })).objects;
    assert.deepEqual(
      left.map((a) => a.client_id),
      [credential.clientId],
    );
  });
});
