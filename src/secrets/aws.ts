/**
 * AWS Secrets Manager as the secret store, through the official SDK. Region, credentials and endpoint come
 * from the SDK's standard configuration (AWS_REGION, the default credential chain,
 * AWS_ENDPOINT_URL_SECRETS_MANAGER); the secret-name prefix and an optional KMS key are ours.
 *
 * Each of our names is one Secrets Manager secret (`<prefix><name>`); each of our versions is one of its
 * versions. Stages are Secrets Manager's own staging labels (pending = AWSPENDING, current = AWSCURRENT,
 * previous = AWSPREVIOUS), so a service reading AWSCURRENT reads what the worker calls current. A version
 * without a label is superseded. Secrets Manager cannot delete one version's value, and never lets a secret be
 * without AWSCURRENT; a revoked version therefore carries our own label `REVOKED_<versionId>`, which this store
 * refuses to read, promote or un-revoke.
 *
 * Writes are idempotent through ClientRequestToken: a write with an idempotency key uses a token derived
 * from it, so a retried activity finds the version its first attempt wrote and adds none.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  paginateListSecretVersionIds,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../config.js';
import { SecretConflict, SecretNotFound, SecretRevoked, SecretStoreCorrupt } from './errors.js';
import { formatSecretRef, secretNameOf, type SecretName, type SecretRef } from './ref.js';
import type {
  PutSecretOptions,
  SecretStage,
  SecretStore,
  SecretValue,
  SecretVersionId,
  SecretVersionInfo,
} from './store.js';

export const AWS_SECRET_SCHEME = 'aws-sm';

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';
const REVOKED_PREFIX = 'REVOKED_';
/** Marks a version written to be current until it is (see put). */
const WRITING_PREFIX = 'WRITING_';
/** A promotion that races others retries this often, after a short random pause, before giving up. */
const PROMOTE_ATTEMPTS = 10;

export interface AwsSecretStoreOptions {
  /** Prepended to every name: `cybrid-provisioner/` keeps the worker's secrets under one IAM resource prefix. */
  prefix: string;
  /** Encrypts new secrets; Secrets Manager's default key (aws/secretsmanager) when undefined. */
  kmsKeyId?: string;
}

/**
 * Opens the store and checks, before any activity runs, that the SDK found a region and credentials: a
 * worker without them would otherwise fail only at its first secret.
 */
export async function openAwsSecretStore(options: AwsSecretStoreOptions): Promise<SecretStore> {
  // The SDK warns on Node.js 20 that its releases from 2027 need Node.js 22; package-lock.json pins a
  // release that supports 20 (README), and the warning would break the CLI's one-line errors.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new SecretsManagerClient({});
  try {
    await client.config.region();
  } catch {
    client.destroy();
    throw new ConfigError(
      'Invalid configuration: AWS_REGION is required with PROVISIONER_SECRET_STORE=aws (or a region in the AWS profile)',
    );
  }
  try {
    await client.config.credentials();
  } catch (err) {
    client.destroy();
    throw new ConfigError(
      `Invalid configuration: no AWS credentials for PROVISIONER_SECRET_STORE=aws (the default credential chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a role): ${(err as Error).message.split('\n')[0]}`,
    );
  }
  return new AwsSecretStore(client, options);
}

type Labels = readonly string[];

function stageOf(labels: Labels): SecretStage {
  if (labels.some((l) => l.startsWith(REVOKED_PREFIX))) return 'revoked';
  if (labels.includes(CURRENT)) return 'current';
  if (labels.includes(PENDING)) return 'pending';
  if (labels.includes(PREVIOUS)) return 'previous';
  return 'superseded';
}

const isNotFound = (err: unknown) => err instanceof ResourceNotFoundException;

class AwsSecretStore implements SecretStore {
  readonly scheme = AWS_SECRET_SCHEME;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: AwsSecretStoreOptions,
  ) {}

  ref(name: SecretName): SecretRef {
    return formatSecretRef(AWS_SECRET_SCHEME, name);
  }

  async put(
    name: SecretName,
    value: string,
    options: PutSecretOptions = {},
  ): Promise<{ ref: SecretRef; version: SecretVersionId }> {
    const ref = this.ref(name);
    const secretId = this.secretId(name);
    const version =
      options.idempotencyKey === undefined ? randomUUID() : idempotentVersionId(name, options.idempotencyKey);
    // A current version is written under a label of its own, then promoted: one way to move AWSCURRENT for
    // every write (PutSecretValue's own move of AWSCURRENT is not reliable in every emulator).
    const writing = `${WRITING_PREFIX}${version}`;
    if (options.idempotencyKey !== undefined) {
      // Secrets Manager refuses the same token with other data; checking first gives the same answer
      // whatever the service (its emulators do not all check).
      const earlier = await this.fetch(secretId, { VersionId: version });
      if (earlier) {
        if (stageOf(earlier.VersionStages ?? []) !== 'revoked' && earlier.SecretString !== value) {
          throw new SecretConflict(ref, version);
        }
        // The first attempt stopped before its promotion: finish it.
        if (earlier.VersionStages?.includes(writing)) await this.finishWrite(name, version, writing);
        return { ref, version };
      }
    }
    const write = () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: value,
          ClientRequestToken: version,
          VersionStages: [options.stage === 'pending' ? PENDING : writing],
        }),
      );
    try {
      try {
        await write();
        if (options.stage !== 'pending') await this.finishWrite(name, version, writing);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        try {
          // The first version of a secret: Secrets Manager makes it AWSCURRENT.
          await this.client.send(
            new CreateSecretCommand({
              Name: secretId,
              SecretString: value,
              ClientRequestToken: version,
              KmsKeyId: this.options.kmsKeyId,
              Description: 'Written by cybrid-provisioner',
            }),
          );
        } catch (createErr) {
          if (!(createErr instanceof ResourceExistsException)) throw createErr;
          await write(); // another writer created the secret meanwhile
          if (options.stage !== 'pending') await this.finishWrite(name, version, writing);
        }
      }
    } catch (err) {
      // The same token with other data: a concurrent write with the same idempotency key won.
      if (err instanceof ResourceExistsException) throw new SecretConflict(ref, version);
      throw err;
    }
    return { ref, version };
  }

  private async finishWrite(name: SecretName, version: SecretVersionId, writing: string): Promise<void> {
    await this.promote(name, version);
    await this.removeLabel(this.secretId(name), writing, version);
  }

  async get(ref: SecretRef, options: { version?: SecretVersionId } = {}): Promise<SecretValue> {
    const name = secretNameOf(ref, AWS_SECRET_SCHEME);
    const secretId = this.secretId(name);
    const found = await this.fetch(
      secretId,
      options.version === undefined ? { VersionStage: CURRENT } : { VersionId: options.version },
    );
    if (!found) {
      throw new SecretNotFound(
        this.ref(name),
        options.version === undefined ? undefined : `has no version ${options.version}`,
      );
    }
    const stage = stageOf(found.VersionStages ?? []);
    if (stage === 'revoked') {
      if (options.version !== undefined) throw new SecretRevoked(this.ref(name), options.version);
      // AWSCURRENT cannot be removed from a revoked current version: there is no current one to read.
      const versions = await this.versions(name);
      if (versions.every((v) => v.stage === 'revoked')) throw new SecretRevoked(this.ref(name));
      throw new SecretNotFound(this.ref(name), 'has no current version');
    }
    if (found.SecretString === undefined || found.VersionId === undefined) {
      throw new SecretStoreCorrupt(this.ref(name), 'holds a binary value, not the text this store writes');
    }
    return {
      version: found.VersionId,
      stage,
      createdAt: (found.CreatedDate ?? new Date(0)).toISOString(),
      value: found.SecretString,
    };
  }

  async versions(ref: SecretRef): Promise<SecretVersionInfo[]> {
    return (await this.labelledVersions(secretNameOf(ref, AWS_SECRET_SCHEME))).map(
      ({ version, stage, createdAt }) => ({ version, stage, createdAt }),
    );
  }

  async promote(ref: SecretRef, version: SecretVersionId): Promise<void> {
    const name = secretNameOf(ref, AWS_SECRET_SCHEME);
    const secretId = this.secretId(name);
    for (let attempt = 1; ; attempt++) {
      const versions = await this.labelledVersions(name);
      const target = this.versionOf(name, versions, version);
      if (target.stage === 'revoked') throw new SecretRevoked(this.ref(name), version);
      const holder = versions.find((v) => v.labels.includes(CURRENT));
      try {
        if (holder?.version !== version) {
          // Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT leaves.
          await this.client.send(
            new UpdateSecretVersionStageCommand({
              SecretId: secretId,
              VersionStage: CURRENT,
              MoveToVersionId: version,
              RemoveFromVersionId: holder?.version,
            }),
          );
        }
        if (target.labels.includes(PENDING)) await this.removeLabel(secretId, PENDING, version);
        return;
      } catch (err) {
        // AWSCURRENT moved between our read and our write: read again.
        if (!(err instanceof InvalidParameterException) || attempt >= PROMOTE_ATTEMPTS) throw err;
        await sleep(10 + Math.random() * 50 * attempt);
      }
    }
  }

  async revoke(ref: SecretRef, version: SecretVersionId): Promise<void> {
    const name = secretNameOf(ref, AWS_SECRET_SCHEME);
    const secretId = this.secretId(name);
    const target = this.versionOf(name, await this.labelledVersions(name), version);
    if (target.stage === 'revoked') return;
    // The mark first: once it is there, the version is revoked whatever happens to the labels below.
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: `${REVOKED_PREFIX}${version}`,
        MoveToVersionId: version,
      }),
    );
    for (const label of [PENDING, PREVIOUS]) {
      if (target.labels.includes(label)) await this.removeLabel(secretId, label, version);
    }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private secretId(name: SecretName): string {
    return `${this.options.prefix}${name}`;
  }

  /** GetSecretValue, or undefined when the secret or the version does not exist. */
  private async fetch(
    secretId: string,
    select: { VersionId: string } | { VersionStage: string },
  ): Promise<GetSecretValueCommandOutput | undefined> {
    try {
      return await this.client.send(new GetSecretValueCommand({ SecretId: secretId, ...select }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async labelledVersions(
    name: SecretName,
  ): Promise<(SecretVersionInfo & { labels: Labels; created: number })[]> {
    const found: (SecretVersionInfo & { labels: Labels; created: number })[] = [];
    try {
      for await (const page of paginateListSecretVersionIds(
        { client: this.client },
        { SecretId: this.secretId(name), IncludeDeprecated: true },
      )) {
        for (const v of page.Versions ?? []) {
          if (!v.VersionId) continue;
          const labels = v.VersionStages ?? [];
          const created = v.CreatedDate ?? new Date(0);
          found.push({
            version: v.VersionId,
            stage: stageOf(labels),
            createdAt: created.toISOString(),
            labels,
            created: created.getTime(),
          });
        }
      }
    } catch (err) {
      if (isNotFound(err) || !(await this.exists(name))) return [];
      throw err;
    }
    // Secrets Manager dates versions to the second; within one, the order is that of the version ids.
    return found.sort((a, b) => a.created - b.created || a.version.localeCompare(b.version));
  }

  /**
   * Whether the secret exists. Asked only after listing its versions failed: some emulators answer that
   * listing with an error page rather than ResourceNotFoundException.
   */
  private async exists(name: SecretName): Promise<boolean> {
    try {
      await this.client.send(new DescribeSecretCommand({ SecretId: this.secretId(name) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private versionOf<T extends SecretVersionInfo>(name: SecretName, versions: T[], version: string): T {
    const entry = versions.find((v) => v.version === version);
    if (!entry) throw new SecretNotFound(this.ref(name), `has no version ${version}`);
    return entry;
  }

  private async removeLabel(secretId: string, label: string, version: string): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: label,
        RemoveFromVersionId: version,
      }),
    );
  }
}

/** A ClientRequestToken (32–64 characters) that is the same for every retry of one logical write. */
function idempotentVersionId(name: SecretName, idempotencyKey: string): SecretVersionId {
  return createHash('sha256').update(`${name}\n${idempotencyKey}`).digest('hex');
}
