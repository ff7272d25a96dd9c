/**
 * `provisioner plan | apply | drift -f MANIFEST`: the desired state. A bad manifest is refused with every
 * problem named by its path before anything connects; plans and drift reports are read on the worker (no
 * IdP write); apply shows the plan, asks (or takes --yes), then reconciles and sets the schedules.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import {
  DesiredStateClient,
  needsReconcile,
  parseManifest,
  type PlanDocument,
} from '../../client/desired-state.js';
import { DEFAULT_APPLY_CONCURRENCY, type ApplyManifestResult } from '../../model/desired-state.js';
import { describeFailure } from '../../model/workflow-safe/failure.js';
import type { Manifest } from '../../model/manifest.js';
import type { applyManifest } from '../../workflows/index.js';
import { withClient } from '../connect.js';
import { readDocumentFile } from '../document-file.js';
import { numberOption } from '../options.js';
import { CliError, printJson, printLine } from '../output.js';
import { describeAction, describeDriftReport, describePlan } from '../plan-text.js';
import { waitWithProgress } from '../wait.js';

interface ManifestFlags {
  file: string;
  json?: boolean;
}

async function loadManifest(path: string): Promise<Manifest> {
  return parseManifest(await readDocumentFile(path, '-f'), `manifest ${path}`);
}

/**
 * Connects, checks that the manifest fits in a payload, and runs `work` with the desired-state client; a
 * workflow that fails is one line naming its cause.
 */
async function withManifest<T>(
  command: 'plan' | 'apply' | 'drift',
  flags: ManifestFlags,
  work: (desired: DesiredStateClient, manifest: Manifest) => Promise<T>,
): Promise<T> {
  const manifest = await loadManifest(flags.file);
  return withClient(async (client) => {
    const desired = new DesiredStateClient(client);
    await desired.assertFits(manifest, `manifest ${flags.file}`);
    try {
      return await work(desired, manifest);
    } catch (err) {
      if (err instanceof WorkflowFailedError)
        throw new CliError(`${command} of manifest ${manifest.name} failed: ${describeFailure(err)}`);
      throw err;
    }
  });
}

const withManifestFlags = (command: Command) =>
  command
    .requiredOption('-f, --file <manifest>', 'the manifest (YAML or JSON)')
    .option('--json', 'print one JSON document on stdout');

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}

export function registerDesiredState(program: Command): void {
  withManifestFlags(
    program
      .command('plan')
      .description('show what apply would do to bring the IdP to the manifest (no IdP write)'),
  ).action((flags: ManifestFlags) =>
    withManifest('plan', flags, async (desired, manifest) => {
      const plan = await desired.plan(manifest);
      if (flags.json) return printJson(plan);
      for (const line of describePlan(plan)) printLine(line);
    }),
  );

  withManifestFlags(
    program
      .command('apply')
      .description('carry out the plan: reconcile each bank (bounded), then set the schedules')
      .option('--yes', 'apply without asking (required when not on a terminal)')
      .option(
        '--concurrency <n>',
        'banks reconciled at once',
        numberOption('--concurrency', 1, 100),
        DEFAULT_APPLY_CONCURRENCY,
      ),
  ).action((flags: ManifestFlags & { yes?: boolean; concurrency: number }) =>
    withManifest('apply', flags, async (desired, manifest) => {
      const plan = await desired.plan(manifest);
      if (!flags.json) for (const line of describePlan(plan)) printLine(line);
      const changes = plan.summary.banksToChange > 0 || plan.actions.length > 0;
      if (!changes) {
        if (flags.json)
          printJson({ manifest: manifest.name, changed: false, plan, banks: [], schedules: [] });
        return;
      }
      if (!flags.yes && !(await confirm('Apply these changes? [y/N] ')))
        throw new CliError(
          process.stdin.isTTY
            ? 'apply cancelled: nothing was changed'
            : 'apply changes the IdP: confirm with --yes (there is no terminal to ask on)',
        );
      await applyPlan(desired, manifest, plan, flags);
    }),
  );

  withManifestFlags(
    program
      .command('drift')
      .description(
        'report now how the IdP differs from the manifest (no IdP write); creates or updates the drift schedule the manifest asks for',
      ),
  ).action((flags: ManifestFlags) =>
    withManifest('drift', flags, async (desired, manifest) => {
      const report = await desired.drift(manifest);
      const schedule = await desired.syncDriftSchedule(manifest);
      if (flags.json) return printJson({ ...report, schedule: schedule ?? null });
      for (const line of describeDriftReport(report)) printLine(line);
      if (schedule)
        printLine(
          `drift schedule ${schedule.scheduleId}: ${schedule.change === 'none' ? 'unchanged' : `${schedule.change}d`}, next check ${schedule.nextRunAt ?? 'unknown'}`,
        );
    }),
  );
}

async function applyPlan(
  desired: DesiredStateClient,
  manifest: Manifest,
  plan: PlanDocument,
  flags: { json?: boolean; concurrency: number },
): Promise<void> {
  let workflowId: string | undefined;
  let applied: ApplyManifestResult | undefined;
  if (plan.banks.some(needsReconcile)) {
    const handle = await desired.startApply(manifest, plan, flags.concurrency);
    workflowId = handle.workflowId;
    if (!flags.json) printLine(`applying in workflow ${workflowId} (it goes on if this command stops)`);
    applied = await waitWithProgress<typeof applyManifest>(handle);
  }
  const schedules = await desired.applySchedules(manifest, plan);
  const skipped = plan.banks
    .filter((bank) => bank.problems.length > 0)
    .map(({ bankGuid, problems }) => ({ bankGuid, problems }));
  const summary = {
    applied: applied?.summary.applied ?? 0,
    busy: applied?.summary.busy ?? 0,
    failed: applied?.summary.failed ?? 0,
    skipped: skipped.length,
    schedules: schedules.length,
  };
  if (flags.json) {
    printJson({
      manifest: manifest.name,
      changed: true,
      workflowId,
      plan,
      banks: applied?.banks ?? [],
      skipped,
      schedules,
      summary,
    });
  } else {
    for (const bank of applied?.banks ?? []) {
      if (bank.outcome !== 'applied') printLine(`bank ${bank.bankGuid}: ${bank.outcome}: ${bank.error}`);
    }
    for (const action of schedules) printLine(`done: ${describeAction(action)}`);
    printLine(
      `Applied: ${summary.applied} banks reconciled, ${summary.busy} busy, ${summary.failed} failed, ${summary.skipped} skipped; ${summary.schedules} schedule changes.`,
    );
  }
  if (summary.busy + summary.failed + summary.skipped > 0)
    throw new CliError(
      `apply of manifest ${manifest.name} left ${summary.failed} banks failed, ${summary.busy} busy and ${summary.skipped} skipped (see above); apply again once fixed`,
    );
}
