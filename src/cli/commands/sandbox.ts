/** `provisioner sandbox`: the local IdP sandbox alone (state in SQLite, faults from flags or environment). */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { faultsFromEnv, startSandbox, type SandboxFaults } from '../../dev/sandbox/index.js';
import { CliError } from '../output.js';

function number(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new CliError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

interface SandboxFlags extends Partial<Omit<SandboxFaults, 'dropScopes'>> {
  port: number;
  host: string;
  database: string;
  dropScopes?: string;
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run the local Cybrid IdP sandbox (see docs/sandbox.md)')
    .option('--port <n>', 'port', number('--port', 0, 65535), 8900)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--database <path>', "SQLite file (':memory:' for none)", '.provisioner/sandbox.sqlite')
    .addOption(
      new Option('--error-rate <r>', 'share of requests answered 5xx').argParser(
        number('--error-rate', 0, 1),
      ),
    )
    .addOption(
      new Option('--throttle-rate <r>', 'share answered 429 with Retry-After').argParser(
        number('--throttle-rate', 0, 1),
      ),
    )
    .addOption(
      new Option(
        '--lost-response-rate <r>',
        'share of writes that commit and then lose the response',
      ).argParser(number('--lost-response-rate', 0, 1)),
    )
    .addOption(
      new Option('--latency-ms <n>', 'delay added to every request').argParser(
        number('--latency-ms', 0, 60_000),
      ),
    )
    .addOption(
      new Option('--rate-limit <n>', 'requests per second before 429 (0 = none)').argParser(
        number('--rate-limit', 0, 1e6),
      ),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the fault generator').argParser(number('--seed', 0, 2 ** 32 - 1)),
    )
    .option('--drop-scopes <a,b>', 'scopes /oauth/token silently drops (newer IdP behaviour)')
    .action(async (flags: SandboxFlags) => {
      const { port, host, database, dropScopes, ...rates } = flags;
      const sandbox = await startSandbox({
        database: database === ':memory:' ? database : resolve(database),
        host,
        port,
        faults: {
          ...faultsFromEnv(process.env),
          ...Object.fromEntries(Object.entries(rates).filter(([, v]) => v !== undefined)),
          ...(dropScopes ? { dropScopes: dropScopes.split(',') } : {}),
        },
      });
      const { clientId, clientSecret, generated } = sandbox.orgCredentials;
      process.stderr.write(`IdP sandbox listening on ${sandbox.url} (state: ${database})\n`);
      process.stderr.write(`organization client id: ${clientId}\n`);
      if (generated) {
        // Generated credentials are printed once so the operator can configure the worker with them.
        process.stderr.write(`organization client secret (generated): ${clientSecret}\n`);
      }
      process.stderr.write(`faults: ${JSON.stringify(sandbox.faults())}\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await sandbox.close();
    });
}
