/** The `provisioner` command tree: main.ts parses the command line with it, tests walk it. */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { registerCodecServer } from './commands/codec-server.js';
import { registerDesiredState } from './commands/desired-state.js';
import { registerDev } from './commands/dev.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerOnboard } from './commands/onboard.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSecret } from './commands/secret.js';
import { registerStatus } from './commands/status.js';
import { registerWorker } from './commands/worker.js';

/** The package's version; package.json sits two folders up from src/cli and from dist/cli alike. */
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('provisioner')
    .description('Provision banks, OAuth applications and users on the Cybrid IdP through Temporal workflows')
    .version(version, '--version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });
  for (const register of [
    registerDev,
    registerWorker,
    registerSandbox,
    registerOnboard,
    registerLifecycle,
    registerStatus,
    registerDesiredState,
    registerSecret,
    registerCodecServer,
  ]) {
    register(program);
  }
  return program;
}
