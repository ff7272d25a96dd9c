/**
 * The production setup: credentials in AWS Secrets Manager (the moto emulator, through the real SDK), the
 * ledger in PostgreSQL. A test plays the bank's service: it reads the bank's credential document with the
 * AWS SDK alone, as the README shows, and mints a token with plain HTTP.
 */
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { after, before, describe, it } from 'node:test';
import { onboardedBank } from '../support/banks.js';
import { requestTokenAsService } from '../support/consumer.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { listBankApplications } from '../support/idp.js';
import { freshDatabaseUrl, keyEntry, useSecretsManagerEmulator } from '../support/stores.js';

/** What a bank's service does with nothing but the secret's name and AWS access. */
async function serviceMintsToken(
  secretId: string,
  stage = 'AWSCURRENT',
): Promise<{ clientId: string; scope: string }> {
  const sm = new SecretsManagerClient({});
  const { SecretString } = await sm.send(
    new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }),
  );
  sm.destroy();
  const credential = JSON.parse(SecretString!) as {
    clientId: string;
    clientSecret: string;
    tokenUrl: string;
    scopes: string[];
  };
  const response = await requestTokenAsService(credential);
  assert.equal(response.status, 200, `the token endpoint answered ${response.status}`);
  const token = (await response.json()) as { access_token: string; scope: string };
  assert.ok(token.access_token);
  return { clientId: credential.clientId, scope: token.scope };
}

describe('onboarding and rotation with Secrets Manager and PostgreSQL', () => {
  let world: TestWorld;
  let prefix: string;
  before(async () => {
    prefix = useSecretsManagerEmulator();
    world = await createTestWorld({
      env: {
        PROVISIONER_SECRET_STORE: 'aws',
        PROVISIONER_AWS_SECRET_PREFIX: prefix,
        PROVISIONER_DATABASE_URL: await freshDatabaseUrl(),
        PROVISIONER_CODEC_KEYS: keyEntry('k1'),
      },
    });
    await world.startWorker();
  });
  after(() => world.close());

  it('stores a credential document the bank’s service reads with the AWS SDK and mints a token with', async () => {
    const bank = await onboardedBank(world, ['svc@example.com']);
    assert.equal(bank.application.secretRef, `aws-sm:banks/${bank.bankGuid}/credential`);
    assert.match(bank.users[0]!.inviteRef ?? '', /^aws-sm:users\/[0-9a-f]{32}\/invite-url$/);
    const secretId = `${prefix}banks/${bank.bankGuid}/credential`;
    const minted = await serviceMintsToken(secretId);
    assert.equal(minted.clientId, bank.application.clientId);
    assert.match(minted.scope, /customers:write/);

    // After a rotation AWSCURRENT is the new credential; the old one is gone from the IdP and revoked.
    const rotation = await (
      await world.client.startRotation({ bankGuid: bank.bankGuid, gracePeriod: '1s' })
    ).result();
    assert.equal((await serviceMintsToken(secretId)).clientId, rotation.clientId);
    assert.deepEqual(
      (await listBankApplications(world, bank.bankGuid)).map((a) => a.client_id),
      [rotation.clientId],
    );
    const stages = await world.deps.secrets.versions(bank.application.secretRef);
    assert.deepEqual(stages.map((v) => v.stage).sort(), ['current', 'revoked']);
    assert.deepEqual(await world.deps.ledger.rotationsOf(bank.bankGuid), [
      {
        rotatedAt: rotation.rotatedAt,
        previousClientId: bank.application.clientId,
        clientId: rotation.clientId,
        workflowId: `bank-${bank.bankGuid}`,
      },
    ]);
    assert.equal((await world.deps.ledger.usersOf(bank.bankGuid)).length, 1);
  });
});
