/** `provisioner secret get <secretRef>`: the only place a secret value is ever printed. */
import type { Command } from 'commander';
import { parseEnv, StateEnv } from '../../config.js';
import { openSecretStore } from '../../dependencies.js';

export function registerSecret(program: Command): void {
  const secret = program.command('secret').description('read the secret store');
  secret
    .command('get')
    .description(
      'print the current value of a secret (or one version of it): it is a live credential, so pipe it where it is needed rather than onto a shared screen',
    )
    .argument('<secretRef>', 'a reference from a workflow result, e.g. local:banks/<bankGuid>/credential')
    .option('--version <id>', 'a specific version')
    .action(async (ref: string, flags: { version?: string }) => {
      const secrets = await openSecretStore(parseEnv(StateEnv));
      try {
        // A bank credential is its JSON document, printed as stored.
        const { value } = await secrets.get(
          ref,
          flags.version === undefined ? {} : { version: flags.version },
        );
        if (process.stdout.isTTY)
          process.stderr.write(
            'warning: the next line is a live secret; it stays in this terminal (and its scrollback). Pipe it to where it is needed instead.\n',
          );
        process.stdout.write(`${value}\n`);
      } finally {
        await secrets.close();
      }
    });
}
