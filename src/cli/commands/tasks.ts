/**
 * Tasks for people: `provisioner tasks [--bank GUID] [--json]` lists the writes waiting for a person,
 * `tasks check <bankGuid>` makes the bank's operation read the IdP now, `tasks done <taskId>` confirms what
 * no read can show, and `credential submit <bankGuid> --client-id ID` hands over a bank API key a person
 * created (its secret from standard input or --secret-file, never from the command line).
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { checkTasks, confirmTask, submitCredential, taskList } from '../../client/tasks.js';
import { parseEnv, StateEnv } from '../../config.js';
import { openSecretStore } from '../../dependencies.js';
import { Guid } from '../../model/idp-schemas.js';
import { completerProblem } from '../../model/workflow-safe/tasks.js';
import { withClient } from '../connect.js';
import { CliError, printJson, printLine } from '../output.js';

/** Who did it, when `--by` does not say: the person at this terminal. */
const osUser = () => {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
};

/** `--by`, checked at the edge as the workflow checks it. */
const byOption = (value: string) => {
  const problem = completerProblem(value);
  if (problem) throw new CliError(problem);
  return value;
};

const bankGuidArgument = (value: string) => {
  if (!Guid.safeParse(value).success) throw new CliError(`bankGuid ${value} is not a 32-hex bank guid`);
  return value;
};

async function readSecret(secretFile: string | undefined): Promise<string> {
  let text: string;
  if (secretFile !== undefined) text = await readFile(secretFile, 'utf8');
  else {
    if (process.stdin.isTTY) process.stderr.write('Paste the secret, then press Enter and Ctrl-D:\n');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  const secret = text.trim();
  if (!secret)
    throw new CliError(secretFile ? `${secretFile} holds no secret` : 'no secret on standard input');
  return secret;
}

export function registerTasks(program: Command): void {
  const tasks = program
    .command('tasks')
    .enablePositionalOptions()
    .description("list the writes waiting for a person (every operation, or one bank's)")
    .option('--bank <bankGuid>', "only this bank's", bankGuidArgument)
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { bank?: string; json?: boolean }) => {
      await withClient(async (client) => {
        const list = await taskList(client, { bankGuid: flags.bank });
        if (flags.json) return printJson(list);
        const open = list.tasks;
        if (open.length === 0) return printLine('no task waits for a person');
        for (const task of open) {
          printLine(`${task.taskId}  ${task.kind}  bank ${task.bankGuid}  due ${task.deadline}`);
          printLine(`  ${task.instructions}`);
          if (task.lastProblem) printLine(`  last check: ${task.lastProblem}`);
        }
      });
    });

  tasks
    .command('check')
    .description("make the bank's operation read the IdP for its open tasks now")
    .argument('<bankGuid>', 'the bank', bankGuidArgument)
    .option('--by <name>', 'who asks (credited with what the check finds done)', byOption, osUser())
    .option('--json', 'print one JSON document on stdout')
    .action(async (bankGuid: string, flags: { by: string; json?: boolean }) => {
      await withClient(async (client) => {
        const answer = await checkTasks(client, bankGuid, flags.by);
        if (flags.json) return printJson(answer);
        for (const id of answer.completed) printLine(`${id}: completed`);
        for (const task of answer.open)
          printLine(
            `${task.taskId} (${task.kind}): still open${task.lastProblem ? `: ${task.lastProblem}` : ''}`,
          );
      });
    });

  tasks
    .command('done')
    .description('confirm a task no read of the IdP can show done (the result says "confirmed")')
    .argument('<taskId>', 'the task, as `provisioner tasks` lists it')
    .option('--by <name>', 'who did it', byOption, osUser())
    .option('--json', 'print one JSON document on stdout')
    .action(async (taskId: string, flags: { by: string; json?: boolean }) => {
      await withClient(async (client) => {
        const answer = await confirmTask(client, taskId, flags.by);
        if (flags.json) return printJson(answer);
        printLine(`${taskId}: confirmed by ${flags.by}`);
      });
    });

  program
    .command('credential')
    .description('hand over what a person made in the Partner Portal')
    .command('submit')
    .description(
      "hand over the bank API key a person created for the bank's create-bank-api-key task: the secret is read from standard input (or --secret-file), stored in the secret store, and checked against the IdP",
    )
    .argument('<bankGuid>', 'the bank', bankGuidArgument)
    .requiredOption('--client-id <clientId>', "the new API key's client id")
    .option('--secret-file <file>', 'read the secret from this file instead of standard input')
    .option('--by <name>', 'who hands it over', byOption, osUser())
    .option('--json', 'print one JSON document on stdout')
    .action(
      async (
        bankGuid: string,
        flags: { clientId: string; secretFile?: string; by: string; json?: boolean },
      ) => {
        const clientSecret = await readSecret(flags.secretFile);
        const secrets = await openSecretStore(parseEnv(StateEnv));
        try {
          await withClient(async (client) => {
            const answer = await submitCredential(client, secrets, bankGuid, {
              clientId: flags.clientId,
              clientSecret,
              by: flags.by,
            });
            if (!answer.accepted) throw new CliError(`API key ${flags.clientId} refused: ${answer.reason}`);
            if (flags.json) return printJson(answer);
            printLine(
              `API key ${answer.clientId} accepted as bank ${bankGuid}'s credential (${answer.secretRef}); task ${answer.taskId} completed`,
            );
          });
        } finally {
          await secrets.close();
        }
      },
    );
}
