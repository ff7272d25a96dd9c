/** The `provisioner` command tree: main.ts parses the command line with it, tests walk it. */
import { Command } from 'commander';
import { registerApi } from './commands/api.js';
import { registerApiKeys } from './commands/api-keys.js';
import { registerCodecServer } from './commands/codec-server.js';
import { registerDesiredState } from './commands/desired-state.js';
import { registerDev } from './commands/dev.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerOnboard } from './commands/onboard.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSecret } from './commands/secret.js';
import { registerStatus } from './commands/status.js';
import { registerTasks } from './commands/tasks.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerWorker } from './commands/worker.js';
import { PACKAGE_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('provisioner')
    .description('Provision banks, OAuth applications and users on the Cybrid IdP through Temporal workflows')
    .version(PACKAGE_VERSION, '--version', 'print the version')
    .exitOverride()
    // So that `tasks check --json` is the subcommand's --json, not its parent's (`tasks --json`).
    .enablePositionalOptions()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });
  for (const register of [
    registerDev,
    registerWorker,
    registerSandbox,
    registerOnboard,
    registerLifecycle,
    registerStatus,
    registerTasks,
    registerDesiredState,
    registerSecret,
    registerCodecServer,
    registerApi,
    registerApiKeys,
    registerWebhooks,
  ]) {
    register(program);
  }
  return program;
}
