/** `provisioner sandbox`: the local IdP sandbox alone, until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { faultsFromEnv, faultsFromFlags, type SandboxFaults } from './faults.js';
import { startSandbox } from './server.js';

/** The flags of `provisioner sandbox`: where to listen and store, and faults as text (flags win over env). */
export interface SandboxCommandOptions extends Partial<Record<keyof SandboxFaults, string>> {
  port: number;
  host: string;
  database: string;
}

export async function runSandbox(flags: SandboxCommandOptions): Promise<void> {
  const { port, host, database, ...faults } = flags;
  const sandbox = await startSandbox({
    database: database === ':memory:' ? database : resolve(database),
    host,
    port,
    faults: { ...faultsFromEnv(process.env), ...faultsFromFlags(faults) },
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
