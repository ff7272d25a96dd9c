/**
 * A lock file, so two processes writing the same secret name take turns. Acquired by creating the file
 * exclusively; it records who holds it. A lock is broken when its holder is a dead process on this host,
 * or when it is older than `staleMs` (critical sections take milliseconds; this covers another host or a
 * crashed one on a shared directory).
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretStoreError } from './errors.js';

export interface FileLockOptions {
  timeoutMs: number;
  staleMs: number;
}

interface LockOwner {
  host: string;
  pid: number;
  token: string;
}

export async function withFileLock<T>(
  path: string,
  options: FileLockOptions,
  critical: () => Promise<T>,
): Promise<T> {
  const owner: LockOwner = { host: hostname(), pid: process.pid, token: randomBytes(12).toString('hex') };
  await acquire(path, owner, options);
  try {
    return await critical();
  } finally {
    await release(path, owner);
  }
}

async function acquire(path: string, owner: LockOwner, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(path, owner)) return;
    const held = await readLock(path);
    if (held && isStale(held, options.staleMs)) {
      await breakLock(path, held.content);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new SecretStoreError(
        `Timed out after ${options.timeoutMs} ms waiting for the lock ${path}; if no provisioner process is using the secret store, remove that file`,
      );
    }
    // Jittered backoff, so contending writers do not retry in lockstep.
    await sleep(Math.random() * Math.min(2 ** attempt, 50));
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await file.writeFile(JSON.stringify(owner));
  } finally {
    await file.close();
  }
  return true;
}

/** The lock's content and age; undefined when it was released meanwhile. */
async function readLock(path: string): Promise<{ content: string; ageMs: number } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, ageMs: Date.now() - info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(held: { content: string; ageMs: number }, staleMs: number): boolean {
  if (held.ageMs > staleMs) return true;
  const holder = parseOwner(held.content);
  return holder !== undefined && holder.host === hostname() && !isAlive(holder.pid);
}

function parseOwner(content: string): LockOwner | undefined {
  try {
    const value = JSON.parse(content) as Partial<LockOwner>;
    return typeof value.host === 'string' && typeof value.pid === 'number' && typeof value.token === 'string'
      ? (value as LockOwner)
      : undefined;
  } catch {
    return undefined; // being written by its creator
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside (atomic: of several breakers one wins), then checks that what it moved is the
 * lock it judged stale. If another process acquired a fresh lock in between, that lock is put back.
 */
async function breakLock(path: string, staleContent: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    if ((await readFile(aside, 'utf8')) !== staleContent) {
      await link(aside, path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
  } finally {
    await unlink(aside);
  }
}

async function release(path: string, owner: LockOwner): Promise<void> {
  const held = await readLock(path);
  // Not ours any more only if it was broken as stale; then it belongs to someone else now.
  if (held && parseOwner(held.content)?.token === owner.token) await unlink(path);
}
