/** `provisioner sandbox`: the local IdP sandbox alone (state in SQLite, faults from flags or environment). */
import type { Command } from 'commander';
import type { SandboxCommandOptions } from '../../dev/sandbox/run.js';
import { loadDevTooling } from './dev-tooling.js';
import { portalTokenCommand } from './portal-token.js';
import { portOption } from '../options.js';

/** The fault flags; their values are checked, with the environment's, by the sandbox's fault schema. */
const FAULT_FLAGS: [flags: string, description: string][] = [
  ['--error-rate <r>', 'share of requests answered 5xx (0..1)'],
  ['--throttle-rate <r>', 'share answered 429 with Retry-After (0..1)'],
  ['--lost-response-rate <r>', 'share of writes that commit and then lose the response (0..1)'],
  ['--latency-ms <n>', 'delay added to every request'],
  ['--rate-limit <n>', 'requests per second before 429 (0 = none)'],
  ['--seed <n>', 'seed of the fault generator'],
  ['--drop-scopes <a,b>', 'scopes /oauth/token silently drops (newer IdP behaviour)'],
  [
    '--taken-emails <a,b>',
    'emails creating a user answers 409 for, listed nowhere (taken outside the organization)',
  ],
];

export function registerSandbox(program: Command): void {
  const command = program
    .command('sandbox')
    .description('run the local Cybrid IdP sandbox (see docs/sandbox.md)')
    .option('--port <n>', 'port', portOption('--port'), 8900)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--database <path>', "SQLite file (':memory:' for none)", '.provisioner/sandbox.sqlite')
    .option(
      '--contract <version>',
      'IdP contract to speak: 0.129.1425 (newest: API keys only read) or 0.129.899 (API keys write); env SANDBOX_CONTRACT; default 0.129.1425',
    );
  for (const [flags, description] of FAULT_FLAGS) command.option(flags, description);
  command.action(async (flags: SandboxCommandOptions) => {
    const { runSandbox } = await loadDevTooling(() => import('../../dev/sandbox/run.js'));
    await runSandbox(flags);
  });
  command.addCommand(portalTokenCommand(), { hidden: true });
}
