/** `provisioner sandbox`: the local IdP sandbox alone, until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { faultsFromEnv, type SandboxFaults } from './faults.js';
import { startSandbox } from './server.js';

export interface SandboxCommandOptions extends Partial<Omit<SandboxFaults, 'dropScopes'>> {
  port: number;
  host: string;
  database: string;
  dropScopes?: string;
}

export async function runSandbox(flags: SandboxCommandOptions): Promise<void> {
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
}
