/**
 * Builds, once at start, what the worker and the CLI share: the IdP client, the secret store, the ledger and
 * the payload data converter, from configuration already parsed.
 */
import type { DataConverter } from '@temporalio/common';
import { join, resolve } from 'node:path';
import type { ActivityDeps } from './activities/deps.js';
import { dataConverterFor } from './codec/index.js';
import { loadOrCreateKeyFile, parseKeyring, type Keyring } from './keyring.js';
import type { StateEnv, WorkerEnv } from './config.js';
import { createIdpClient } from './idp/client.js';
import { RequestPacer } from './idp/pacer.js';
import { tokenUrlOf } from './idp/token.js';
import { runWriteTokenCommand } from './idp/write-token-command.js';
import { openLedger, type LedgerLocation, type ProvisioningLedger } from './ledger/index.js';
import type { Logger } from './log.js';
import { openAwsSecretStore, openLocalSecretStore, type SecretStore } from './secrets/index.js';

/**
 * Scopes the worker's organization credential asks for: bank applications (list needs banks:read, the
 * IdP's quirk) and users. Kept in one place. IdPs since v0.129.1209 drop the write ones from the grant;
 * each operation's needs are judged against the grant in idp/permissions.ts.
 */
export const WORKER_SCOPES = [
  'banks:read',
  'bank_applications:read',
  'bank_applications:write',
  'bank_applications:execute',
  'users:read',
  'users:write',
  'users:execute',
] as const;

export interface Dependencies {
  stateDir: string;
  secrets: SecretStore;
  ledger: ProvisioningLedger;
  dataConverter: DataConverter;
  activityDeps: ActivityDeps;
  /**
   * The IdP's rate limit (PROVISIONER_IDP_RATE_LIMIT) and the pacer that spaces this worker's requests at its
   * part of it (temporal/idp-rate-share.ts).
   */
  idpRateLimit?: { limit: number; pacer: RequestPacer };
  /**
   * What this worker keeps on this host only (empty when every store is shared): a second host would not
   * see it, so a worker with local state must be the only one on its task queue.
   */
  hostLocalState: string[];
  close(): Promise<void>;
}

const stateDirOf = (config: StateEnv) => resolve(config.PROVISIONER_STATE_DIR);

/** Payload keys: PROVISIONER_CODEC_KEYS, or the development key file in the state directory. */
export function loadCodecKeys(config: StateEnv): Promise<Keyring> {
  return config.PROVISIONER_CODEC_KEYS
    ? Promise.resolve(parseKeyring(config.PROVISIONER_CODEC_KEYS, 'PROVISIONER_CODEC_KEYS'))
    : loadOrCreateKeyFile(join(stateDirOf(config), 'codec.key'), 'codec key file');
}

/** The secret store PROVISIONER_SECRET_STORE names. */
export function openSecretStore(config: StateEnv): Promise<SecretStore> {
  if (config.PROVISIONER_SECRET_STORE === 'aws') {
    return openAwsSecretStore({
      prefix: config.PROVISIONER_AWS_SECRET_PREFIX,
      kmsKeyId: config.PROVISIONER_AWS_KMS_KEY_ID,
    });
  }
  const stateDir = stateDirOf(config);
  return openLocalSecretStore({
    directory: join(stateDir, 'secrets'),
    keys: config.PROVISIONER_SECRET_KEYS,
    keyFile: join(stateDir, 'secret-store.key'),
  });
}

export function ledgerLocation(config: StateEnv): LedgerLocation {
  return {
    databaseUrl: config.PROVISIONER_DATABASE_URL,
    sqliteFile: join(stateDirOf(config), 'ledger.sqlite'),
  };
}

/** Each store the configuration leaves on this host, described for an operator. */
function hostLocalStateOf(config: StateEnv): string[] {
  const stateDir = stateDirOf(config);
  return [
    config.PROVISIONER_SECRET_STORE === 'local' && `secret store in ${join(stateDir, 'secrets')}`,
    !config.PROVISIONER_DATABASE_URL && `ledger in ${join(stateDir, 'ledger.sqlite')}`,
    !config.PROVISIONER_CODEC_KEYS && `payload key file ${join(stateDir, 'codec.key')}`,
  ].filter((entry): entry is string => typeof entry === 'string');
}

/** How long CYBRID_IDP_WRITE_TOKEN_COMMAND may run (a sign-in helper may call a remote service). */
const WRITE_TOKEN_COMMAND_TIMEOUT_MS = 30_000;

function writeTokenSourceOf(config: WorkerEnv) {
  const command = config.CYBRID_IDP_WRITE_TOKEN_COMMAND;
  return command
    ? () => runWriteTokenCommand({ command, timeoutMs: WRITE_TOKEN_COMMAND_TIMEOUT_MS })
    : undefined;
}

export async function openDependencies(config: WorkerEnv, logger: Logger): Promise<Dependencies> {
  const dataConverter = dataConverterFor(await loadCodecKeys(config));
  const secrets = await openSecretStore(config);
  let ledger: ProvisioningLedger;
  try {
    ledger = await openLedger(ledgerLocation(config));
  } catch (err) {
    await secrets.close();
    throw err;
  }
  const limit = config.PROVISIONER_IDP_RATE_LIMIT;
  const idpRateLimit = limit ? { limit, pacer: new RequestPacer(limit) } : undefined;
  const idp = createIdpClient({
    baseUrl: config.CYBRID_IDP_URL,
    clientId: config.CYBRID_CLIENT_ID,
    clientSecret: config.CYBRID_CLIENT_SECRET,
    scopes: WORKER_SCOPES,
    pacer: idpRateLimit?.pacer,
    keyLifetimeMs: config.PROVISIONER_KEY_LIFETIME,
    writeTokenSource: writeTokenSourceOf(config),
  });
  const hostLocalState = hostLocalStateOf(config);
  logger.debug(
    { secretStore: secrets.scheme, ledger: config.PROVISIONER_DATABASE_URL ? 'postgres' : 'sqlite' },
    'dependencies ready',
  );
  return {
    stateDir: stateDirOf(config),
    secrets,
    ledger,
    dataConverter,
    hostLocalState,
    idpRateLimit,
    activityDeps: {
      idp,
      secrets,
      ledger,
      tokenUrl: tokenUrlOf(config.CYBRID_IDP_URL),
      userConcurrency: config.PROVISIONER_USER_CONCURRENCY,
      orphanGraceMs: config.PROVISIONER_ORPHAN_GRACE_MS,
      writeMode: config.PROVISIONER_WRITE_MODE,
      keyLifetimeMs: config.PROVISIONER_KEY_LIFETIME,
      taskDeadlineMs: config.PROVISIONER_TASK_DEADLINE,
      taskReminderMs: config.PROVISIONER_TASK_REMINDER,
    },
    close: async () => {
      await ledger.close();
      await secrets.close();
    },
  };
}
