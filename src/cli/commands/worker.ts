/** `provisioner worker`: the worker alone, configured from the environment (production). */
import type { Command } from 'commander';
import { runWorker } from '../../worker.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the worker (configuration from the environment; see README)')
    .action(async () => {
      await runWorker();
    });
}
