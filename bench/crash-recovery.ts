/**
 * Benchmark: the reliability run of issue "progress survives a crashing worker", scaled down. Onboardings of
 * `banks` banks (3 users each, plus one email every bank shares) on an IdP at 20% 5xx, 10% 429 and 5% lost
 * responses, with the worker (a real `provisioner worker` process) killed with SIGKILL every 3–8 s for
 * `faultySeconds`; then the faults stop and one worker runs steadily. Reports how long the slowest onboarding
 * took, how long after the faults stopped the last one finished, and whether any waited on a workflow task the
 * server backed off (a task lost with a worker, retried later). Measures; asserts nothing.
 *   npx tsx bench/crash-recovery.ts [banks=20] [faultySeconds=60]
 */
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer } from '../src/dev/temporal-dev-server.js';
import { createLogger } from '../src/log.js';
import { ensureSearchAttributes } from '../src/temporal/register-search-attributes.js';
import { bundleWorkflows } from '../src/worker.js';
import { createTestWorld, randomGuid } from '../test/support/env.js';
import { listBankApplications, listUsers } from '../test/support/idp.js';
import { startWorkerProcess } from '../test/support/worker-process.js';

const banks = Number(process.argv[2] ?? 20);
const faultySeconds = Number(process.argv[3] ?? 60);
const FAULTS = { errorRate: 0.2, throttleRate: 0.1, lostResponseRate: 0.05, seed: 27 };
const SHARED_EMAIL = 'shared-by-every-bank@example.com';
const { TimeoutType } = proto.temporal.api.enums.v1;

type History = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;
const ms = (t: { toNumber(): number } | null | undefined) => (t ? t.toNumber() : 0);
const at = (e: History[number]) => ms(e.eventTime?.seconds) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** Workflow tasks lost with a worker (timed out while started), and how long the workflow waited after each. */
function lostTasks(events: History) {
  const waits: number[] = [];
  let maxAttempt = 1;
  events.forEach((e, i) => {
    maxAttempt = Math.max(maxAttempt, e.workflowTaskScheduledEventAttributes?.attempt ?? 1);
    const timedOut = e.workflowTaskTimedOutEventAttributes;
    if (
      timedOut?.timeoutType !== TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE &&
      !e.workflowTaskFailedEventAttributes
    )
      return;
    const next = events.slice(i + 1).find((n) => n.workflowTaskStartedEventAttributes);
    if (next) waits.push(at(next) - at(e));
  });
  return { waits, maxAttempt };
}

const server = await startDevServer();
process.env.TEMPORAL_ADDRESS = server.address;
const bundleDir = await mkdtemp(join(tmpdir(), 'crash-recovery-'));
const bundlePath = join(bundleDir, 'workflow-bundle.js');
await writeFile(bundlePath, await bundleWorkflows(createLogger('warn')));
process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE = bundlePath;
const world = await createTestWorld({ faults: FAULTS });
let worker = await startWorkerProcess(world);
try {
  await ensureSearchAttributes(world.connection, server.namespace);
  const guids = Array.from({ length: banks }, () => randomGuid());
  const startedAt = Date.now();
  const handles = await Promise.all(
    guids.map((bankGuid, b) =>
      world.client.startOnboarding({
        bankGuid,
        users: [
          ...Array.from({ length: 3 }, (_, u) => ({ email: `crash-${b}-${u}@example.com` })),
          { email: SHARED_EMAIL },
        ],
      }),
    ),
  );
  const outcomes = handles.map((h) =>
    h.result().then(
      () => 'completed',
      (err: unknown) => `failed: ${String(err)}`,
    ),
  );

  let kills = 0;
  while (Date.now() - startedAt < faultySeconds * 1000) {
    await sleep(3000 + Math.random() * 5000);
    worker.child.kill('SIGKILL');
    await worker.done;
    kills++;
    worker = await startWorkerProcess(world);
  }
  world.sandbox.setFaults({ errorRate: 0, throttleRate: 0, lostResponseRate: 0 });
  const steadyAt = Date.now();
  const results = await Promise.all(outcomes);
  const lastDoneAfterSteadyMs = Date.now() - steadyAt;

  const rows = await Promise.all(
    handles.map(async (h) => {
      const events = (await h.fetchHistory()).events ?? [];
      const { waits, maxAttempt } = lostTasks(events);
      return {
        tookMs: at(events.at(-1)!) - at(events[0]!),
        lost: waits.length,
        longestWaitMs: Math.max(0, ...waits),
        maxAttempt,
      };
    }),
  );
  const applications = await Promise.all(guids.map((g) => listBankApplications(world, g)));
  const users = await listUsers(world);
  const byEmail = new Map<string, number>();
  for (const u of users) byEmail.set(u.email, (byEmail.get(u.email) ?? 0) + 1);

  const slowest = Math.max(...rows.map((r) => r.tookMs));
  const longestWait = Math.max(...rows.map((r) => r.longestWaitMs));
  const report = {
    banks,
    faultySeconds,
    kills,
    completed: results.filter((r) => r === 'completed').length,
    failed: results.filter((r) => r !== 'completed'),
    slowestOnboardingS: +(slowest / 1000).toFixed(1),
    lastFinishedAfterFaultsStoppedS: +(lastDoneAfterSteadyMs / 1000).toFixed(1),
    workflowTasksLostWithAWorker: rows.reduce((n, r) => n + r.lost, 0),
    onboardingsThatLostATask: rows.filter((r) => r.lost > 0).length,
    highestWorkflowTaskAttempt: Math.max(...rows.map((r) => r.maxAttempt)),
    longestWaitAfterALostTaskS: +(longestWait / 1000).toFixed(1),
    banksWithoutExactlyOneApplication: applications.filter((a) => a.length !== 1).length,
    emailsCreatedTwice: [...byEmail.values()].filter((n) => n > 1).length,
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  worker.child.kill('SIGTERM');
  await worker.done;
  await world.close();
  await server.stop();
  await rm(bundleDir, { recursive: true, force: true });
}
