/** `provisioner status <bankGuid>`: the bank's latest operation, its rotation schedule, past rotations and tasks people did. */
import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ledgerLocation } from '../../dependencies.js';
import { openLedger } from '../../ledger/index.js';
import { STATUS_QUERY_TIMEOUT_MS } from '../../client/index.js';
import { withClient } from '../connect.js';
import { describeProgress } from '../../model/contract.js';
import { printJson, printLine } from '../output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      "show the bank's latest operation, its progress, rotation schedule, past rotations and the tasks people completed",
    )
    .argument('<bankGuid>', 'the bank')
    .option('--json', 'print one JSON document on stdout')
    .action(async (bankGuid: string, flags: { json?: boolean }) => {
      await withClient(async (client, config) => {
        const latest = await client.status(bankGuid).catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        });
        const schedule = await client.rotationSchedule(bankGuid);
        const ledger = await openLedger(ledgerLocation(config));
        const [rotations, taskCompletions] = await Promise.all([
          ledger.rotationsOf(bankGuid),
          ledger.taskCompletionsOf(bankGuid),
        ]).finally(() => ledger.close());
        if (flags.json)
          return printJson({
            bankGuid,
            latest: latest ?? null,
            schedule: schedule ?? null,
            rotations,
            taskCompletions,
          });
        if (!latest) printLine(`bank ${bankGuid}: no operation found`);
        else {
          printLine(`${latest.type} ${latest.workflowId}: ${latest.state}`);
          if (latest.status) printLine(describeProgress(latest.status));
          else
            printLine(
              `  (no worker answered the status query within ${STATUS_QUERY_TIMEOUT_MS / 1000} s: is a worker polling task queue ${config.PROVISIONER_TASK_QUEUE}?)`,
            );
          for (const w of latest.status?.writes ?? [])
            printLine(`  ${w.operation}: ${w.writer} (${w.reason})`);
          for (const t of latest.status?.tasks ?? [])
            if (t.state === 'open')
              printLine(`  waiting for a person: ${t.taskId} ${t.kind}, due ${t.deadline}`);
          const failures = latest.status?.failures ?? [];
          for (const f of failures) printLine(`  failed: ${f.subject} (${f.type}: ${f.message})`);
          const unlisted = (latest.status?.failureCount ?? failures.length) - failures.length;
          if (unlisted > 0) printLine(`  and ${unlisted} more failed`);
        }
        if (schedule) {
          printLine(
            `rotation schedule ${schedule.scheduleId}: ${schedule.paused ? 'paused' : `next run ${schedule.nextRunAt ?? 'none'}`}`,
          );
        }
        for (const r of rotations) printLine(`rotated ${r.rotatedAt}: ${r.previousClientId} → ${r.clientId}`);
        for (const c of taskCompletions) printLine(`${c.kind} ${c.taskId}: ${c.evidence} ${c.at} (${c.by})`);
      });
    });
}
