/** `provisioner secret get <secretRef>`: the only place a secret value is ever printed. */
import type { Command } from 'commander';
import { parseEnv, StateEnv } from '../../config.js';
import { openStateDependencies } from '../../dependencies.js';

export function registerSecret(program: Command): void {
  const secret = program.command('secret').description('read the secret store');
  secret
    .command('get')
    .description('print the current value of a secret (or one version of it)')
    .argument('<secretRef>', 'a reference from a workflow result, e.g. banks/<bankGuid>/client-secret')
    .option('--version <n>', 'a specific version', (v) => Number.parseInt(v, 10))
    .action(async (ref: string, flags: { version?: number }) => {
      const { secrets } = await openStateDependencies(parseEnv(StateEnv));
      const { value } = await secrets.get(ref, flags.version === undefined ? {} : { version: flags.version });
      process.stdout.write(`${value}\n`);
    });
}
