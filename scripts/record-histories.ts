/**
 * Records the replay fixtures in test/histories: runs every workflow type for real (dev server + sandbox +
 * worker) with the fixed replay key and saves each history as <name>.json. Run after an intended workflow
 * change; histories of the code before a change that running workflows may still replay (handled with
 * patched()) stay beside them, renamed (e.g. <name>.before-local-steps.json), and must replay too:
 *   npx tsx scripts/record-histories.ts                      (every fixture)
 *   npx tsx scripts/record-histories.ts onboardBank-users-refused ...   (runs everything, saves only these)
 */
import type { WorkflowHandle } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer } from '../src/dev/temporal-dev-server.js';
import { ensureSearchAttributes } from '../src/temporal/register-search-attributes.js';
import { bankWorkflowId } from '../src/model/contract.js';
import { Manifest } from '../src/model/manifest.js';
import { statusQuery } from '../src/model/workflow-safe/messages.js';
import { webhookDeliveryWorkflowId } from '../src/model/workflow-safe/operations.js';
import { addWebhookSubscription } from '../src/webhooks/subscriptions.js';
import { HISTORIES_DIR, REPLAY_CODEC_KEYS } from '../test/support/replay.js';

import { createTestWorld, randomGuid } from '../test/support/env.js';
import { portal, taskOf } from '../test/support/portal.js';
import { checkTasks, confirmTask } from '../src/client/tasks.js';
import type {
  ChangeUserScopesValues,
  DeleteBankApiKeyValues,
  DisableUsersValues,
} from '../src/model/workflow-safe/tasks.js';

const run = promisify(execFile);
const only = process.argv.slice(2);
const server = await startDevServer({ log: console.log });
process.env.TEMPORAL_ADDRESS = server.address;
const world = await createTestWorld({ codecKeys: REPLAY_CODEC_KEYS });
try {
  await ensureSearchAttributes(world.connection, server.namespace);
  await world.startWorker();
  await mkdir(HISTORIES_DIR, { recursive: true });
  const save = async (name: string, handle: WorkflowHandle) => {
    await handle.result().catch(() => undefined);
    if (only.length > 0 && !only.includes(name)) return;
    // The Temporal CLI's JSON is the format replay reads (historyFromJSON).
    const { stdout } = await run(
      server.cli.path ?? 'temporal',
      [
        'workflow',
        'show',
        '--workflow-id',
        handle.workflowId,
        '--address',
        server.address,
        '--output',
        'json',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    await writeFile(new URL(`${name}.json`, HISTORIES_DIR), stdout);
    console.log(`recorded ${name}`);
  };

  const bankGuid = randomGuid();
  const users = ['replay-1@example.com', 'replay-2@example.com', 'replay-3@example.com'].map((email) => ({
    email,
  }));
  await save('onboardBank-3-users', await world.client.startOnboarding({ bankGuid, users }));
  await save('onboardBank-again', await world.client.startOnboarding({ bankGuid, users }));
  await save(
    'rotateBankCredentials-grace',
    await world.client.startRotation({ bankGuid, gracePeriod: '1s' }),
  );

  const early = await world.client.startRotation({ bankGuid, gracePeriod: '1h' });
  while (!(await early.query(statusQuery)).step.startsWith('waiting')) await sleep(50);
  await world.client.completeRotation(bankGuid);
  await save('rotateBankCredentials-completed-by-operator', early);

  const cancelled = await world.client.startRotation({ bankGuid, gracePeriod: '1h' });
  while (!(await cancelled.query(statusQuery)).step.startsWith('waiting')) await sleep(50);
  await cancelled.cancel();
  await save('rotateBankCredentials-cancelled', cancelled);

  await save(
    'scheduledRotation',
    await world.client.client.workflow.start('scheduledRotation', {
      workflowId: `scheduled-rotation-${bankGuid}`,
      taskQueue: world.taskQueue,
      args: [{ bankGuid, gracePeriod: '1s' }],
    }),
  );
  await save(
    'disableUsers',
    await world.client.startDisablingUsers({ users: ['replay-1@example.com'], reason: 'replay fixture' }),
  );
  // Onboardings that fail: a disabled user cannot be given other scopes (the IdP refuses it for good), and a
  // credential the IdP grants too few scopes fails verification, so the application is removed again.
  await save(
    'onboardBank-users-refused',
    await world.client.startOnboarding({
      bankGuid: randomGuid(),
      users: [
        { email: 'replay-1@example.com', allowedScopes: ['openid'] },
        { email: 'replay-4@example.com' },
      ],
    }),
  );
  world.sandbox.setFaults({ dropScopes: ['customers:write'] });
  await save(
    'onboardBank-verification-failed',
    await world.client.startOnboarding({ bankGuid: randomGuid() }),
  );
  world.sandbox.setFaults({ dropScopes: [] });
  // The desired state: a plan, an apply (its reconcileBank child under the bank's id), a drift report.
  const manifest = Manifest.parse({
    name: 'replay',
    banks: [
      {
        bankGuid: randomGuid(),
        application: { ipAllowlist: ['203.0.114.7/32'] },
        users: [{ email: 'replay-5@example.com', allowedScopes: ['banks:read'] }],
      },
    ],
  });
  const desiredStateRun = (workflowType: string, args: unknown[]) =>
    world.client.client.workflow.start(workflowType, {
      workflowId: `${workflowType}-${randomGuid()}`,
      taskQueue: world.taskQueue,
      args,
    });
  await save('planManifest', await desiredStateRun('planManifest', [{ manifest }]));
  await save('applyManifest', await desiredStateRun('applyManifest', [{ manifest }]));
  await save(
    'reconcileBank',
    world.client.client.workflow.getHandle(bankWorkflowId(manifest.banks[0]!.bankGuid)),
  );
  await save('driftCheck', await desiredStateRun('driftCheck', [{ manifest }]));
  await save(
    'revokeBankCredentials',
    await world.client.startRevocation({ bankGuid, reason: 'replay fixture' }),
  );
  await save('offboardBank', await world.client.startOffboarding({ bankGuid, reason: 'replay fixture' }));

  // Webhook events, delivered to a receiver: a rotation that sends its waiting and completed events, and the
  // delivery of one event.
  const receiver = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    await addWebhookSubscription(
      { ledger: world.deps.ledger, secrets: world.deps.secrets },
      { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks` },
    );
    const eventfulBank = randomGuid();
    await (await world.client.startOnboarding({ bankGuid: eventfulBank })).result();
    const eventful = await world.client.startRotation({ bankGuid: eventfulBank, gracePeriod: '1h' });
    while (!(await eventful.query(statusQuery)).step.startsWith('waiting')) await sleep(50);
    await world.client.completeRotation(eventfulBank);
    await save('rotateBankCredentials-with-events', eventful);
    const eventId = `evt_${randomGuid()}`;
    await save(
      'deliverWebhookEvent',
      await world.client.client.workflow.start('deliverWebhookEvent', {
        workflowId: webhookDeliveryWorkflowId(eventId),
        taskQueue: world.taskQueue,
        args: [
          { id: eventId, type: 'bank.offboarded', timestamp: new Date().toISOString(), data: { bankGuid } },
        ],
      }),
    );
  } finally {
    receiver.close();
  }

  // Today's IdP, a person writing: the key created in the Portal and handed over, the users invited there.
  const assisted = await createTestWorld({
    codecKeys: REPLAY_CODEC_KEYS,
    contract: '0.129.1425',
    env: { PROVISIONER_WRITE_MODE: 'assisted' },
  });
  try {
    await assisted.startWorker();
    const personsBank = randomGuid();
    const invited = [{ email: 'replay-person-1@example.com', allowedScopes: ['banks:read' as const] }];
    const handle = await assisted.client.startOnboarding({ bankGuid: personsBank, users: invited });
    const person = await portal(assisted);
    await person.handOverKey(await taskOf(assisted, personsBank, 'create-bank-api-key'), 'replay fixture');
    await taskOf(assisted, personsBank, 'invite-users');
    await person.invite(invited);
    await checkTasks(assisted.client, personsBank, 'replay fixture');
    await save('onboardBank-by-a-person', handle);

    // The users disabled in the Portal: no read can show it, so the person confirms the task.
    const disabling = await assisted.client.startDisablingUsers({
      bankGuid: personsBank,
      users: invited.map((u) => u.email),
      reason: 'replay fixture',
    });
    const disableTask = await taskOf(assisted, personsBank, 'disable-users');
    await person.disable((disableTask.values as DisableUsersValues).users);
    await confirmTask(assisted.client, disableTask.taskId, 'replay fixture');
    await save('disableUsers-by-a-person', disabling);

    // Offboarding a bank with no API key: its users go to a person the same way.
    const leavingBank = randomGuid();
    const leaving = {
      email: 'replay-person-2@example.com',
      guid: await person.inviteOne('replay-person-2@example.com'),
    };
    await assisted.deps.ledger.recordUsers(leavingBank, [leaving]);
    const offboarding = await assisted.client.startOffboarding({
      bankGuid: leavingBank,
      reason: 'replay fixture',
    });
    const offboardTask = await taskOf(assisted, leavingBank, 'disable-users');
    await person.disable((offboardTask.values as DisableUsersValues).users);
    await confirmTask(assisted.client, offboardTask.taskId, 'replay fixture');
    await save('offboardBank-by-a-person', offboarding);

    // A manifest applied by a person: the plan says so; the reconcile opens the key, invite, scope and
    // disable tasks; a drift check then finds the key within its window and sends credential.expiring.
    const manifestBank = randomGuid();
    const rescoped = {
      email: 'replay-person-3@example.com',
      guid: await person.inviteOne('replay-person-3@example.com'),
    };
    const pruned = {
      email: 'replay-person-4@example.com',
      guid: await person.inviteOne('replay-person-4@example.com'),
    };
    await assisted.deps.ledger.recordUsers(manifestBank, [rescoped, pruned]);
    const dayMs = 86_400_000;
    const expiresAt = new Date(Date.now() + 4 * dayMs - ((Date.now() + 4 * dayMs) % dayMs)).toISOString();
    const personsManifest = Manifest.parse({
      name: 'replay-by-a-person',
      banks: [
        {
          bankGuid: manifestBank,
          application: { ipAllowlist: ['203.0.114.7/32'], expiresAt },
          users: [
            { email: 'replay-person-5@example.com', allowedScopes: ['banks:read'] },
            { email: rescoped.email, allowedScopes: ['banks:read'] },
          ],
        },
      ],
      prune: true,
      confirmPrune: true,
    });
    const assistedRun = (workflowType: string, args: unknown[]) =>
      assisted.client.client.workflow.start(workflowType, {
        workflowId: `${workflowType}-${randomGuid()}`,
        taskQueue: assisted.taskQueue,
        args,
      });
    await save(
      'planManifest-by-a-person',
      await assistedRun('planManifest', [{ manifest: personsManifest }]),
    );
    const applying = await assistedRun('applyManifest', [{ manifest: personsManifest }]);
    await person.handOverKey(await taskOf(assisted, manifestBank, 'create-bank-api-key'), 'replay fixture');
    await taskOf(assisted, manifestBank, 'invite-users');
    await person.invite([{ email: 'replay-person-5@example.com', allowedScopes: ['banks:read'] }]);
    await checkTasks(assisted.client, manifestBank, 'replay fixture');
    const scopeTask = await taskOf(assisted, manifestBank, 'change-user-scopes');
    await person.changeScopes((scopeTask.values as ChangeUserScopesValues).users);
    await checkTasks(assisted.client, manifestBank, 'replay fixture');
    const pruneTask = await taskOf(assisted, manifestBank, 'disable-users');
    await person.disable((pruneTask.values as DisableUsersValues).users);
    await confirmTask(assisted.client, pruneTask.taskId, 'replay fixture');
    await applying.result();
    await save(
      'reconcileBank-by-a-person',
      assisted.client.client.workflow.getHandle(bankWorkflowId(manifestBank)),
    );
    await save(
      'driftCheck-credential-expiring',
      await assistedRun('driftCheck', [{ manifest: personsManifest }]),
    );

    // A rotation by a person: the new key created in the Portal and handed over (stored as the pending
    // version), the old key deleted there and noticed by reading the IdP.
    const rotating = await assisted.client.startRotation({ bankGuid: personsBank, gracePeriod: '1s' });
    await person.handOverKey(await taskOf(assisted, personsBank, 'create-bank-api-key'), 'replay fixture');
    const oldKeyTask = await taskOf(assisted, personsBank, 'delete-bank-api-key');
    await person.deleteKey(oldKeyTask.values as DeleteBankApiKeyValues);
    await checkTasks(assisted.client, personsBank, 'replay fixture');
    await save('rotateBankCredentials-by-a-person', rotating);

    // A revocation by a person: the stored secret revoked at once, the key deleted in the Portal.
    const revoking = await assisted.client.startRevocation({
      bankGuid: personsBank,
      reason: 'replay fixture',
    });
    const revokeTask = await taskOf(assisted, personsBank, 'delete-bank-api-key');
    await person.deleteKey(revokeTask.values as DeleteBankApiKeyValues);
    await checkTasks(assisted.client, personsBank, 'replay fixture');
    await save('revokeBankCredentials-by-a-person', revoking);
  } finally {
    await assisted.close();
  }
} finally {
  await world.close();
  await server.stop();
}
