/**
 * A worker whose state directory is lost (a container restarted without its volume) finds the bank's
 * application without a stored credential. That is no proof of a lost create response: it must not delete
 * the application, and must tell the operator what to do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { describeFailure } from '../../src/model/workflow-safe/failure.js';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';
import { listBankApplications, sandboxStats } from '../support/idp.js';

describe('onboardBank after the state directory was removed', () => {
  let first: TestWorld;
  before(async () => {
    first = await createTestWorld({ orphanGraceMs: 1_000 });
    await first.startWorker();
  });
  after(() => first.close());

  it('leaves the first onboarding’s application alone and says what the operator has to do', async () => {
    const bankGuid = randomGuid();
    const onboarded = await (await first.client.startOnboarding({ bankGuid })).result();

    // The same IdP, a worker with a new, empty state directory.
    const second = await createTestWorld({ orphanGraceMs: 1_000, sandbox: first.sandbox });
    try {
      await second.startWorker();
      const writesBefore = (await sandboxStats(first)).writes;
      const err = await (await second.client.startOnboarding({ bankGuid })).result().then(
        () => assert.fail('the second onboarding should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      const message = describeFailure(err);
      assert.match(
        message,
        new RegExp(
          `^UnknownBankApplication: Bank ${bankGuid} already has an application ${onboarded.application.clientId} `,
        ),
      );
      assert.match(message, /nothing was deleted or created/);
      assert.match(message, new RegExp(`provisioner revoke ${bankGuid} --client-id <clientId>`));
      assert.match(message, /PROVISIONER_SECRET_STORE/);
      assert.equal(
        (await sandboxStats(first)).writes,
        writesBefore,
        'the second onboarding wrote to the IdP',
      );
      assert.deepEqual(
        (await listBankApplications(first, bankGuid)).map((a) => a.client_id),
        [onboarded.application.clientId],
      );
    } finally {
      await second.close();
    }
  });
});
