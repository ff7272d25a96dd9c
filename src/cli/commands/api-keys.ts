/** `provisioner api-key create|list|revoke`: the HTTP API's keys, in the ledger (only digests of them). */
import type { Command } from 'commander';
import { createApiKey } from '../../api/keys.js';
import { API_PERMISSIONS, ApiPermissionList } from '../../api/permissions.js';
import { parseEnv, StateEnv } from '../../config.js';
import { ledgerLocation } from '../../dependencies.js';
import { openLedger, type ApiKeyRecord, type ProvisioningLedger } from '../../ledger/index.js';
import { parseOrThrow } from '../../model/validation.js';
import { CliError, printJson, printLine } from '../output.js';

export async function withLedger<T>(run: (ledger: ProvisioningLedger) => Promise<T>): Promise<T> {
  const ledger = await openLedger(ledgerLocation(parseEnv(StateEnv)));
  try {
    return await run(ledger);
  } finally {
    await ledger.close();
  }
}

const publicView = ({ secretSha256: _digest, ...key }: ApiKeyRecord) => key;

export function registerApiKeys(program: Command): void {
  const keys = program.command('api-key').description("manage the HTTP API's keys");
  keys
    .command('create')
    .description('create a key (printed once: store it safely)')
    .requiredOption('--name <name>', 'who or what uses it')
    .requiredOption('--allow <permissions>', `comma-separated: ${API_PERMISSIONS.join(',')}`)
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { name: string; allow: string; json?: boolean }) => {
      const permissions = parseOrThrow(ApiPermissionList, flags.allow, (p) => new CliError(`--allow: ${p}`));
      if (!flags.name.trim()) throw new CliError('--name: must not be empty');
      const { record, key } = await withLedger((ledger) =>
        createApiKey(ledger, flags.name.trim(), permissions),
      );
      if (flags.json) return printJson({ ...publicView(record), key });
      printLine(`created key ${record.keyId} (${record.name}) allowing ${record.permissions.join(', ')}`);
      printLine(key);
      printLine('This is the only time the key is shown.');
    });
  keys
    .command('list')
    .description('list the keys (never the keys themselves)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { json?: boolean }) => {
      const all = await withLedger((ledger) => ledger.apiKeys());
      if (flags.json) return printJson(all.map(publicView));
      if (all.length === 0) printLine('no keys');
      for (const k of all) {
        printLine(
          `${k.keyId}  ${k.name}  ${k.permissions.join(',')}  created ${k.createdAt}${k.revokedAt ? `  revoked ${k.revokedAt}` : ''}`,
        );
      }
    });
  keys
    .command('revoke')
    .description('revoke a key: refused from the next request on, on every API replica')
    .argument('<keyId>', 'the key id (from create or list)')
    .action(async (keyId: string) => {
      const found = await withLedger((ledger) => ledger.revokeApiKey(keyId, new Date().toISOString()));
      if (!found) throw new CliError(`no API key ${keyId}`);
      printLine(`revoked key ${keyId}`);
    });
}
