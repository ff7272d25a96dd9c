/** The `provisioner` command. */
import { Command, CommanderError } from 'commander';
import { registerCodecServer } from './commands/codec-server.js';
import { registerDev } from './commands/dev.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerOnboard } from './commands/onboard.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSecret } from './commands/secret.js';
import { registerStatus } from './commands/status.js';
import { registerWorker } from './commands/worker.js';
import { failureLine } from './output.js';

const program = new Command('provisioner')
  .description('Provision banks, OAuth applications and users on the Cybrid IdP through Temporal workflows')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

for (const register of [
  registerDev,
  registerWorker,
  registerSandbox,
  registerOnboard,
  registerLifecycle,
  registerStatus,
  registerSecret,
  registerCodecServer,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`${failureLine(err)}\n`);
  process.exit(1);
}
