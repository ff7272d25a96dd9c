/**
 * An onboarding system in Python with the standard library only (python/onboarding_client.py) drives the API
 * over real HTTP: it onboards a bank, receives and verifies the bank.onboarded webhook on its own server,
 * reads the credential reference from the event, and rotates the bank.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { addWebhookSubscription } from '../../src/webhooks/subscriptions.js';
import { currentCredential } from '../support/banks.js';
import { randomGuid } from '../support/env.js';
import { freePort } from '../support/ports.js';
import { createApiWorld, type ApiWorld } from './support.js';

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL('./python/onboarding_client.py', import.meta.url));

describe('HTTP API: an onboarding system in Python (standard library only)', () => {
  let t: ApiWorld;
  before(async () => (t = await createApiWorld()));
  after(() => t?.close());

  it('onboards a bank, verifies the bank.onboarded webhook, reads the credential reference, and rotates', async () => {
    const bankGuid = randomGuid();
    const port = await freePort();
    const { secret } = await addWebhookSubscription(
      { ledger: t.world.deps.ledger, secrets: t.world.deps.secrets },
      { url: `http://127.0.0.1:${port}/webhooks` },
    );
    const { stdout } = await run('python3', [CLIENT, bankGuid, 'python-client@example.com'], {
      env: {
        PATH: process.env.PATH,
        API_URL: t.api.url,
        API_KEY: await t.key(['onboard', 'rotate', 'read']),
        WEBHOOK_SECRET: secret,
        WEBHOOK_PORT: String(port),
      },
      timeout: 180_000,
    });
    const seen = JSON.parse(stdout) as {
      onboarding: Record<string, string>;
      rotation: Record<string, string>;
      latest: string;
      eventsVerified: number;
      rejected: string[];
    };
    const ref = `local:${bankCredentialSecretName(bankGuid)}`;
    assert.equal(seen.onboarding.eventOperationId, seen.onboarding.operationId);
    assert.equal(seen.onboarding.state, 'completed');
    assert.equal(seen.onboarding.credentialRef, ref);
    assert.equal(seen.rotation.credentialRef, ref, 'the reference stays; its current version changed');
    assert.equal(seen.rotation.completedBy, 'operator');
    assert.equal(seen.rotation.waitingClientId, seen.rotation.clientId);
    assert.notEqual(seen.rotation.clientId, seen.onboarding.clientId);
    assert.equal(seen.latest, 'rotateBankCredentials');
    assert.ok(seen.eventsVerified >= 3, `${seen.eventsVerified} events`);
    assert.deepEqual(seen.rejected, [], 'every delivery was validly signed');
    // What the reference points to is the rotated credential, as the bank's services read it.
    assert.equal((await currentCredential(t.world, bankGuid)).clientId, seen.rotation.clientId);
  });
});
