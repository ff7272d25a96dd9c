/** `provisioner sandbox`: the local IdP sandbox alone (state in SQLite, faults from flags or environment). */
import { Command, Option } from 'commander';
import type { SandboxCommandOptions } from '../../dev/sandbox/run.js';
import { loadDevTooling } from './dev-tooling.js';
import { numberOption, portOption } from '../options.js';

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run the local Cybrid IdP sandbox (see docs/sandbox.md)')
    .option('--port <n>', 'port', portOption('--port'), 8900)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--database <path>', "SQLite file (':memory:' for none)", '.provisioner/sandbox.sqlite')
    .addOption(
      new Option('--error-rate <r>', 'share of requests answered 5xx').argParser(
        numberOption('--error-rate', 0, 1),
      ),
    )
    .addOption(
      new Option('--throttle-rate <r>', 'share answered 429 with Retry-After').argParser(
        numberOption('--throttle-rate', 0, 1),
      ),
    )
    .addOption(
      new Option(
        '--lost-response-rate <r>',
        'share of writes that commit and then lose the response',
      ).argParser(numberOption('--lost-response-rate', 0, 1)),
    )
    .addOption(
      new Option('--latency-ms <n>', 'delay added to every request').argParser(
        numberOption('--latency-ms', 0, 60_000),
      ),
    )
    .addOption(
      new Option('--rate-limit <n>', 'requests per second before 429 (0 = none)').argParser(
        numberOption('--rate-limit', 0, 1e6),
      ),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the fault generator').argParser(
        numberOption('--seed', 0, 2 ** 32 - 1),
      ),
    )
    .option('--drop-scopes <a,b>', 'scopes /oauth/token silently drops (newer IdP behaviour)')
    .action(async (flags: SandboxCommandOptions) => {
      const { runSandbox } = await loadDevTooling(() => import('../../dev/sandbox/run.js'));
      await runSandbox(flags);
    });
}
