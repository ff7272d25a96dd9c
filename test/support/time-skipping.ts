/**
 * Workflow tests the samples' way: Temporal's time-skipping test server (its binary found like the CLI's:
 * src/dev/temporal-binary.ts) and a worker whose activities are stubs that record their calls.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import type { BankCredential } from '../../src/activities/applications.js';
import type { Activities } from '../../src/activities/index.js';
import { inputActivities } from '../../src/activities/input.js';
import { dataConverterFor } from '../../src/codec/index.js';
import { findTestServer } from '../../src/dev/temporal-binary.js';
import { parseKeyring } from '../../src/keyring.js';
import { createLogger } from '../../src/log.js';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/model/workflow-safe/search-attributes.js';
import { INDEXED_VALUE_TYPE } from '../../src/temporal/register-search-attributes.js';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { REPLAY_CODEC_KEYS } from './replay.js';

// The SDK's own lines (workers starting and stopping) only at warning level and above.
installTemporalRuntime(createLogger('warn'), { forwardCoreLogs: false });

/** The payload codec of these tests: a fixed test-only key, as the replay fixtures use. */
export const dataConverter = dataConverterFor(parseKeyring(REPLAY_CODEC_KEYS, 'PROVISIONER_CODEC_KEYS'));

export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const server = await findTestServer();
  if (!server.path) throw new Error('no Temporal test server: run `npx tsx scripts/install-temporal.ts`');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: server.path } },
    client: { dataConverter },
  });
  // The test server knows no custom search attributes until told (and cannot list them): a workflow that
  // starts a child with them would wait forever.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      CUSTOM_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]]),
    ),
  });
  return env;
}

export type ActivityCall = {
  [K in keyof Activities]: { name: K; input: Parameters<Activities[K]>[0] };
}[keyof Activities];

/** Stubs of the activities a test names; every call is recorded in `calls`, in order. */
export function stubActivities(stubs: Partial<Activities>) {
  const calls: ActivityCall[] = [];
  const activities = Object.fromEntries(
    Object.entries(stubs).map(([name, stub]) => [
      name,
      (input: never) => {
        calls.push({ name, input } as ActivityCall);
        return (stub as (input: never) => unknown)(input);
      },
    ]),
  );
  return { activities, calls, names: () => calls.map((call) => call.name) };
}

/**
 * `activities` beside what every workflow needs: the real input check (pure: workflows start by it, a stub of
 * it would test nothing), and no webhook subscriptions (operations emit events as they end) unless stubbed.
 */
export function withWorkflowBasics(activities: object): object {
  return {
    ...inputActivities(),
    webhookSubscriptionsFor: () => Promise.resolve([]),
    writeAccess: workerWrites,
    ...activities,
  };
}

/** The worker makes every write (the answer of a worker whose API key may write). */
export const workerWrites: Activities['writeAccess'] = ({ operations }) =>
  Promise.resolve({
    decisions: operations.map((operation) => ({
      operation,
      mode: 'auto' as const,
      writer: 'worker' as const,
      reason: 'stub: the worker writes',
    })),
    taskDeadlineMs: 7 * 86_400_000,
    taskReminderMs: 86_400_000,
  });

/** Runs `body` while a worker with `activities` (and withWorkflowBasics) polls a task queue of its own. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  activities: object,
  body: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `time-skipping-${randomBytes(6).toString('hex')}`;
  const bundlePath = process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: withWorkflowBasics(activities),
    dataConverter,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
  });
  return worker.runUntil(body(taskQueue));
}

/** A stubbed credential of the bank's application `clientId`. */
export const stubCredential = (clientId: string, created: boolean, secretVersion = '1'): BankCredential => ({
  clientId,
  name: `application ${clientId}`,
  secretRef: 'local:banks/0/credential',
  secretVersion,
  created,
});

/** A rotation's activities: the bank's current credential is `old`, the new one `new`. */
export const rotationActivities: Partial<Activities> = {
  currentBankCredential: () =>
    Promise.resolve({ clientId: 'old', secretVersion: '1', applicationName: 'bank application' }),
  createPendingBankApplication: () => Promise.resolve(stubCredential('new', true, '2')),
  verifyBankCredential: () => Promise.resolve({ grantedScopes: [] }),
  promoteBankCredential: () => Promise.resolve(),
  removeBankApplication: () => Promise.resolve(),
  revokeStoredCredentials: () => Promise.resolve([]),
  recordRotation: () => Promise.resolve(),
};
