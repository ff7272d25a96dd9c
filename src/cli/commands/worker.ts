/** `provisioner worker`: the worker alone, configured from the environment (production). */
import type { Command } from 'commander';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the worker (configuration from the environment; see README)')
    .action(async () => {
      // Loaded on use: the worker SDK and the workflow bundler would slow every other command's start.
      const { runWorker } = await import('../../worker.js');
      await runWorker();
    });
}
