/** `provisioner dev`: the embedded default (see src/dev/run-dev.ts), loaded only when run. */
import type { Command } from 'commander';
import type { DevOptions } from '../../dev/run-dev.js';
import { loadDevTooling } from './dev-tooling.js';
import { portOption } from '../options.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run everything locally: Temporal dev server + Web UI, the IdP sandbox and the worker')
    .option('--temporal-port <n>', 'Temporal frontend port', portOption('--temporal-port'), 7233)
    .option('--ui-port <n>', 'Temporal Web UI port', portOption('--ui-port'), 8233)
    .option('--sandbox-port <n>', 'IdP sandbox port', portOption('--sandbox-port'), 8900)
    .option('--api-port <n>', 'HTTP API port', portOption('--api-port'), 8080)
    .option('--assisted', 'give the worker no write token: a person makes the writes in the Partner Portal')
    .action(async (flags: DevOptions) => {
      const { runDev } = await loadDevTooling(() => import('../../dev/run-dev.js'));
      await runDev(flags);
    });
}
