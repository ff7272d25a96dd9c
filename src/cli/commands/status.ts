/** `provisioner status <bankGuid>`: the bank's latest operation and where it stands. */
import type { Command } from 'commander';
import { withClient } from '../connect.js';
import { printJson, printLine } from '../output.js';
import { describeProgress } from '../wait.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show the bank's latest operation and its progress")
    .argument('<bankGuid>', 'the bank')
    .option('--json', 'print one JSON document on stdout')
    .action(async (bankGuid: string, flags: { json?: boolean }) => {
      await withClient(async (client) => {
        const status = await client.status(bankGuid);
        if (flags.json) return printJson({ bankGuid, ...status });
        printLine(`${status.type} ${status.workflowId}: ${status.state}`);
        if (status.status) printLine(describeProgress(status.status));
        for (const failure of status.status?.failures ?? []) printLine(`  failed: ${failure.subject} (${failure.type}: ${failure.message})`);
      });
    });
}
