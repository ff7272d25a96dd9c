/**
 * The common shape of the workflow-starting subcommands: start, then either print the workflow id or,
 * with --wait, follow progress and print the result (one JSON document with --json).
 */
import type { Workflow, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { TaskTiming } from '../model/contract.js';
import { validate, type ProvisionerClient } from '../client/index.js';
import { withClient } from './connect.js';
import { printJson, printLine } from './output.js';
import { waitWithProgress } from './wait.js';

export interface OperationFlags {
  wait?: boolean;
  json?: boolean;
  taskDeadline?: string;
  taskReminder?: string;
}

/** The flags of every workflow-starting subcommand (each operation may open tasks for a person). */
export const withOperationFlags = (command: Command) =>
  command
    .option(
      '--task-deadline <duration>',
      "how long a task for a person may stay open before the operation fails, e.g. 3d (default: the worker's PROVISIONER_TASK_DEADLINE)",
    )
    .option(
      '--task-reminder <duration>',
      "how often an open task is reminded of, e.g. 12h (default: the worker's PROVISIONER_TASK_REMINDER)",
    )
    .option('--wait', 'wait for the result, showing progress on a terminal')
    .option('--json', 'print one JSON document on stdout');

/** The operation's own task timing, from --task-deadline and --task-reminder; absent, the worker's. */
export function taskTimingOf({ taskDeadline, taskReminder }: OperationFlags): TaskTiming | undefined {
  if (taskDeadline === undefined && taskReminder === undefined) return undefined;
  return { deadline: taskDeadline, reminder: taskReminder };
}

/** Validates `input` with `schema` before connecting anywhere, then runs the operation. */
export async function runOperation<W extends Workflow, S extends z.ZodType>(
  flags: OperationFlags,
  schema: S,
  input: z.input<S>,
  start: (client: ProvisionerClient, input: z.infer<S>) => Promise<WorkflowHandleWithFirstExecutionRunId<W>>,
  describeResult: (result: Awaited<ReturnType<W>>) => string[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const valid = validate(schema, input);
  await withClient(async (client) => {
    const handle = await start(client, valid);
    if (!flags.wait) {
      if (flags.json)
        printJson({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, ...extra });
      else
        printLine(
          `started ${handle.workflowId} (run ${handle.firstExecutionRunId}); follow it with --wait or \`provisioner status\``,
        );
      return;
    }
    const result = await waitWithProgress(handle);
    if (flags.json) return printJson({ workflowId: handle.workflowId, ...(result as object) });
    for (const line of describeResult(result)) printLine(line);
  });
}
