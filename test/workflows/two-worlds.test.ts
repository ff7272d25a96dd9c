/**
 * Every operation in both worlds of today's IdP (the sandbox on contract 0.129.1425, API-key credentials
 * only): onboarding a bank with 3 users, a rotation, disabling a user, a revocation and offboarding, once
 * with a person doing every write in the Partner Portal (assisted; the test is the person, through the
 * Portal token) and once with the worker writing through a write token source (auto). Each result is the
 * same apart from who made the writes, and the bank's stored credential mints a token after each step. In
 * `automatic` mode without a write token source each fails at its first write, as before the IdP changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { readCredential } from '../../src/activities/credential-documents.js';
import { openTasks } from '../../src/client/tasks.js';
import {
  BANK_CREDENTIAL_FORMAT,
  BANK_CREDENTIAL_SCOPES,
  type BankCredentialDocument,
} from '../../src/model/bank-credential.js';
import { bankCredentialSecretName } from '../../src/model/secret-names.js';
import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import { requestTokenAsService } from '../support/consumer.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { personDoingTasks } from '../support/person.js';
import { portal, worldWithWriteTokenSource } from '../support/portal.js';

/** Who made the writes, which the two worlds differ in: dropped before comparing. */
const WHO_WROTE = new Set(['tasks', 'created', 'inviteRef', 'rotatedAt']);

/**
 * `results` with what differs between two runs of the same work made comparable: fields saying who wrote
 * dropped, and every id (client ids, user guids, the bank, operation markers in names) replaced by its
 * order of first appearance.
 */
function comparable(results: unknown, ids: string[]): unknown {
  const names = new Map<string, string>();
  const token = (id: string) => {
    if (!names.has(id)) names.set(id, `<id ${names.size + 1}>`);
    return names.get(id)!;
  };
  // Longest first: a name holds the bank's guid, and must be replaced whole.
  const alternatives = [...ids].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(
    alternatives.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  return JSON.parse(
    JSON.stringify(results, (key, value: unknown) => (WHO_WROTE.has(key) ? undefined : value)).replace(
      pattern,
      token,
    ),
  );
}

describe('every operation, by a person and by the worker (0.129.1425)', () => {
  let byPerson: TestWorld;
  let byWorker: TestWorld;
  before(async () => {
    byPerson = await createTestWorld({ contract: '0.129.1425', env: { PROVISIONER_WRITE_MODE: 'assisted' } });
    byWorker = await worldWithWriteTokenSource();
    await Promise.all([byPerson.startWorker(), byWorker.startWorker()]);
  });
  after(async () => {
    await byPerson?.close();
    await byWorker?.close();
  });

  /** The five operations on a new bank of `world`, each result with the ids it named. */
  async function lifecycle(world: TestWorld, emailPrefix: string) {
    const bankGuid = randomGuid();
    const person = personDoingTasks(world, bankGuid, 'a person in the Portal');
    const mints = async (step: string) => {
      const credential = await readCredential(world.deps.secrets, bankCredentialSecretName(bankGuid));
      assert.equal((await requestTokenAsService(credential)).status, 200, `the stored credential ${step}`);
    };
    try {
      const emails = [1, 2, 3].map((n) => `${emailPrefix}-${n}-${bankGuid.slice(0, 8)}@example.com`);
      const onboarded = await person.meanwhile(
        world.client
          .startOnboarding({ bankGuid, users: emails.map((email) => ({ email })) })
          .then((h) => h.result()),
      );
      await mints('after onboarding');
      const rotated = await person.meanwhile(
        world.client.startRotation({ bankGuid, gracePeriod: '1s' }).then((h) => h.result()),
      );
      await mints('after the rotation');
      const disabled = await person.meanwhile(
        world.client
          .startDisablingUsers({ bankGuid, users: [emails[0]!], reason: 'left the bank' })
          .then((h) => h.result()),
      );
      const revoked = await person.meanwhile(
        world.client.startRevocation({ bankGuid, reason: 'leaked' }).then((h) => h.result()),
      );
      const offboarded = await person.meanwhile(
        world.client.startOffboarding({ bankGuid, reason: 'contract ended' }).then((h) => h.result()),
      );
      const results = { onboarded, rotated, disabled, revoked, offboarded };
      const ids = [
        bankGuid,
        onboarded.application.clientId,
        onboarded.application.name,
        rotated.clientId,
        ...onboarded.users.map((u) => u.guid),
        ...emails,
      ];
      return { results, ids, tasksDone: person.done.map((t) => t.kind) };
    } finally {
      await person.stop();
    }
  }

  it('finishes each operation in both worlds with the same results, apart from who wrote', async () => {
    const [people, worker] = await Promise.all([
      lifecycle(byPerson, 'person'),
      lifecycle(byWorker, 'worker'),
    ]);
    assert.deepEqual(worker.tasksDone, [], 'the worker with a write token source asks nobody');
    assert.deepEqual(people.tasksDone.sort(), [
      'create-bank-api-key',
      'create-bank-api-key',
      'delete-bank-api-key',
      'delete-bank-api-key',
      'disable-users',
      'disable-users',
      'invite-users',
    ]);
    assert.deepEqual(comparable(people.results, people.ids), comparable(worker.results, worker.ids));

    // Who wrote, said plainly: the person's work is in the results, the worker's users were created by it.
    const { onboarded, rotated, revoked, offboarded } = people.results;
    assert.ok(onboarded.users.every((u) => !u.created && !('inviteRef' in u)));
    assert.ok(worker.results.onboarded.users.every((u) => u.created));
    for (const result of [onboarded, rotated, revoked, offboarded])
      assert.ok(result.tasks?.every((t) => t.by === 'a person in the Portal'));
  });
});

describe('every operation in automatic mode without a write token source (0.129.1425)', () => {
  let world: TestWorld;
  before(async () => {
    world = await createTestWorld({ contract: '0.129.1425', env: { PROVISIONER_WRITE_MODE: 'automatic' } });
    await world.startWorker();
  });
  after(() => world?.close());

  it('fails each operation at its first write, as before, with the clear error and no task', async () => {
    const bankGuid = randomGuid();
    const failure = (result: Promise<unknown>) =>
      result.then(
        () => assert.fail('the operation should fail'),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          return describeFailure(err);
        },
      );
    assert.match(
      await failure(world.client.startOnboarding({ bankGuid }).then((h) => h.result())),
      /IdpWriteNotPermitted: createBankApplication needs the scope bank_applications:execute/,
    );

    // A key a person made in the Portal, stored as the bank's credential: rotating and deleting it are writes.
    const key = await (
      await portal(world)
    ).createKey({
      bankGuid,
      name: `bank-${bankGuid}`,
      ipAllowlist: [],
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    const document: BankCredentialDocument = {
      format: BANK_CREDENTIAL_FORMAT,
      bankGuid,
      clientId: key.clientId,
      clientSecret: key.secret,
      tokenUrl: world.deps.activityDeps.tokenUrl,
      scopes: [...BANK_CREDENTIAL_SCOPES],
      applicationName: `bank-${bankGuid}`,
      createdAt: new Date().toISOString(),
    };
    await world.deps.secrets.put(bankCredentialSecretName(bankGuid), JSON.stringify(document));
    assert.match(
      await failure(world.client.startRotation({ bankGuid, gracePeriod: '1s' }).then((h) => h.result())),
      /IdpWriteNotPermitted: createBankApplication needs the scope bank_applications:execute/,
    );
    const deleteRefused =
      /IdpWriteNotPermitted: deleteBankApplication needs the scope bank_applications:execute/;
    assert.match(
      await failure(world.client.startRevocation({ bankGuid, reason: 'leaked' }).then((h) => h.result())),
      deleteRefused,
    );
    assert.match(
      await failure(
        world.client.startOffboarding({ bankGuid, reason: 'contract ended' }).then((h) => h.result()),
      ),
      deleteRefused,
    );
    assert.deepEqual(await openTasks(world.client, { bankGuid }), [], 'no task for a person');
  });
});
