/**
 * The local store's on-disk format: one JSON file per secret name holding every version (the value
 * encrypted, the rest in clear), replaced atomically: temp file, fsync, rename, fsync of the directory. A
 * name's first file is linked into place instead of renamed, which fails when the name already has one.
 */
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { groupCommit } from '../group-commit.js';
import { SecretStoreCorrupt } from './errors.js';
import { scratchPath } from './lock.js';
import type { SecretName, SecretRef } from './ref.js';

const SealedValue = z.object({
  keyId: z.string().min(1),
  iv: z.base64(),
  tag: z.base64(),
  ciphertext: z.base64(),
});

const StoredVersion = z
  .object({
    version: z.number().int().positive(),
    stage: z.enum(['pending', 'current', 'previous', 'superseded', 'revoked']),
    createdAt: z.string(),
    idempotencyKey: z.string().optional(),
    /** Absent once revoked: a revoked value is deleted, not kept. */
    sealed: SealedValue.optional(),
  })
  .refine((v) => (v.stage === 'revoked') === (v.sealed === undefined), 'only a revoked version has no value');
export type StoredVersion = z.infer<typeof StoredVersion>;

const StoredSecret = z.object({
  format: z.literal(2),
  name: z.string(),
  versions: z.array(StoredVersion),
});
export type StoredSecret = z.infer<typeof StoredSecret>;

const EXTENSION = '.json';

/** `banks/x/credential` → `banks~x~credential.json`: flat, readable, and reversible ("~" is not allowed in names). */
export function secretFileName(name: SecretName): string {
  return name.replaceAll('/', '~') + EXTENSION;
}

/** The stored secret, or undefined when nothing is stored under the name. */
export async function readStoredSecret(
  path: string,
  name: SecretName,
  ref: SecretRef,
): Promise<StoredSecret | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed;
  try {
    parsed = StoredSecret.safeParse(JSON.parse(text));
  } catch {
    throw new SecretStoreCorrupt(ref, `has a file that is not valid JSON: ${path}`);
  }
  if (!parsed.success) throw new SecretStoreCorrupt(ref, `has a malformed file: ${path}`);
  if (parsed.data.name !== name) {
    // Two names differing only in case share a file on a case-insensitive file system.
    throw new SecretStoreCorrupt(ref, `has its file taken by "${parsed.data.name}": ${path}`);
  }
  return parsed.data;
}

/** Replaces the stored secret at `path` (the caller holds the name's lock). */
export async function writeStoredSecret(path: string, secret: StoredSecret): Promise<void> {
  await writeDurably(path, secret, (temp) => rename(temp, path));
}

/**
 * Stores the first file of a name, unless the name already has one (then false, and nothing changed): the
 * file appears whole or not at all, and of concurrent creators exactly one succeeds, without a lock.
 */
export async function createStoredSecret(path: string, secret: StoredSecret): Promise<boolean> {
  let created = true;
  await writeDurably(path, secret, async (temp) => {
    try {
      await link(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      created = false;
    }
    await unlink(temp);
  });
  return created;
}

/** Writes a scratch file with fsync, puts it in place with `place`, and makes that durable. */
async function writeDurably(
  path: string,
  secret: StoredSecret,
  place: (temp: string) => Promise<void>,
): Promise<void> {
  const temp = scratchPath(path);
  const file = await open(temp, 'wx', 0o600);
  try {
    try {
      await file.writeFile(JSON.stringify(secret, null, 2) + '\n');
      await file.sync();
    } finally {
      await file.close();
    }
    await place(temp);
  } catch (err) {
    await unlink(temp).catch(() => undefined); // best effort: the error that matters is `err`
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** The directories being synced; an entry goes once its last writer is done, so the map stays small. */
const directorySyncs = new Map<string, { sync: (item: void) => Promise<void>; writers: number }>();

/**
 * Makes the renames and links made so far in `directory` durable. Writers that finish while a sync runs share
 * the next one (one fsync of the directory per group of writes, not per write).
 */
async function syncDirectory(directory: string): Promise<void> {
  let entry = directorySyncs.get(directory);
  if (!entry) {
    entry = {
      sync: groupCommit<void>(async () => {
        const handle = await open(directory, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      }),
      writers: 0,
    };
    directorySyncs.set(directory, entry);
  }
  entry.writers++;
  try {
    await entry.sync();
  } finally {
    // No writer left means no sync running or waiting: the next writer starts a fresh group.
    if (--entry.writers === 0) directorySyncs.delete(directory);
  }
}
