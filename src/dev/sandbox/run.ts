/** `provisioner sandbox`: the local IdP sandbox alone, until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { resolveContract } from './contracts.js';
import { faultsFromEnv, faultsFromFlags, type SandboxFaults } from './faults.js';
import { startSandbox } from './server.js';

/** The flags of `provisioner sandbox`: where to listen and store, and faults as text (flags win over env). */
export interface SandboxCommandOptions extends Partial<Record<keyof SandboxFaults, string>> {
  port: number;
  host: string;
  database: string;
  /** 0.129.1425 | 0.129.899; default SANDBOX_CONTRACT, else 0.129.1425. */
  contract?: string;
}

export async function runSandbox(flags: SandboxCommandOptions): Promise<void> {
  const { port, host, database, contract, ...faults } = flags;
  const sandbox = await startSandbox({
    contract: resolveContract(contract, process.env),
    database: database === ':memory:' ? database : resolve(database),
    host,
    port,
    faults: { ...faultsFromEnv(process.env), ...faultsFromFlags(faults) },
  });
  const { clientId, clientSecret, generated } = sandbox.orgCredentials;
  process.stderr.write(`IdP sandbox listening on ${sandbox.url} (state: ${database})\n`);
  process.stderr.write(`contract: ${sandbox.contract}\n`);
  process.stderr.write(
    `Partner Portal: ${sandbox.url}/portal (a person's token: POST /__sandbox/portal-token)\n`,
  );
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
