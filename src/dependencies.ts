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
import { openSqliteLedger, type ProvisioningLedger } from './ledger/ledger.js';
import type { Logger } from './log.js';
import { openLocalSecretStore, type SecretStore } from './secrets/index.js';

/**
 * Scopes the worker's organization credential asks for: bank applications (list needs banks:read, the
 * IdP's quirk) and users. Kept in one place; a grant missing any of them is a clear error.
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

/** Applications without a stored secret younger than this may belong to a create still in flight. */
const ORPHAN_GRACE_MS = 30_000;

export interface StateDependencies {
  stateDir: string;
  secrets: SecretStore;
  dataConverter: DataConverter;
}

export interface Dependencies extends StateDependencies {
  activityDeps: ActivityDeps;
  ledger: ProvisioningLedger;
  close(): void;
}

/** Payload keys: PROVISIONER_CODEC_KEYS, or the development key file in the state directory. */
export function loadCodecKeys(config: StateEnv): Promise<Keyring> {
  return config.PROVISIONER_CODEC_KEYS
    ? Promise.resolve(parseKeyring(config.PROVISIONER_CODEC_KEYS, 'PROVISIONER_CODEC_KEYS'))
    : loadOrCreateKeyFile(join(resolve(config.PROVISIONER_STATE_DIR), 'codec.key'), 'codec key file');
}

/** What the CLI needs: the secret store and the data converter. */
export async function openStateDependencies(config: StateEnv): Promise<StateDependencies> {
  const stateDir = resolve(config.PROVISIONER_STATE_DIR);
  const secrets = await openLocalSecretStore({
    directory: join(stateDir, 'secrets'),
    keys: config.PROVISIONER_SECRET_KEYS,
    keyFile: join(stateDir, 'secret-store.key'),
  });
  return { stateDir, secrets, dataConverter: dataConverterFor(await loadCodecKeys(config)) };
}

export async function openDependencies(
  config: WorkerEnv,
  logger: Logger,
  overrides: Partial<Pick<ActivityDeps, 'orphanGraceMs'>> = {},
): Promise<Dependencies> {
  const state = await openStateDependencies(config);
  const ledger = openSqliteLedger(join(state.stateDir, 'ledger.sqlite'));
  const idp = createIdpClient({
    baseUrl: config.CYBRID_IDP_URL,
    clientId: config.CYBRID_CLIENT_ID,
    clientSecret: config.CYBRID_CLIENT_SECRET,
    scopes: WORKER_SCOPES,
  });
  logger.debug({ stateDir: state.stateDir }, 'dependencies ready');
  return {
    ...state,
    ledger,
    activityDeps: {
      idp,
      secrets: state.secrets,
      ledger,
      userConcurrency: config.PROVISIONER_USER_CONCURRENCY,
      orphanGraceMs: overrides.orphanGraceMs ?? ORPHAN_GRACE_MS,
    },
    close: () => ledger.close(),
  };
}
