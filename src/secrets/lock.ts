/**
 * A lock file, so two processes writing the same secret name take turns. Acquired by linking a complete
 * owner record into place (a crash can never leave a half-written lock); it records who holds it. A lock is
 * broken when its holder is certainly gone: a dead process on this host, an earlier process that had this
 * process's pid (containers restart workers under the same pid: the lock is older than this process), or a
 * lock older than `staleMs` (critical
 * sections take milliseconds; this covers another host or a crashed one on a shared directory).
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { SecretStoreError } from './errors.js';

export interface FileLockOptions {
  timeoutMs: number;
  staleMs: number;
}

interface LockOwner {
  host: string;
  pid: number;
  /** Absent in locks written before threads were recorded. */
  thread?: number;
  token: string;
}

/**
 * A scratch file beside `path` named after this process, so crash recovery can tell whether its writer is
 * gone (see `scratchWriterIsGone`).
 */
export const scratchPath = (path: string) => `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

export async function withFileLock<T>(
  path: string,
  options: FileLockOptions,
  critical: () => Promise<T>,
): Promise<T> {
  const owner: LockOwner = {
    host: hostname(),
    pid: process.pid,
    thread: threadId,
    token: randomBytes(12).toString('hex'),
  };
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
    if (await breakIfStale(path, options.staleMs)) continue;
    if (Date.now() >= deadline) {
      throw new SecretStoreError(
        `Timed out after ${options.timeoutMs} ms waiting for the lock ${path}; if no provisioner process is using the secret store, remove that file`,
      );
    }
    // Jittered backoff, so contending writers do not retry in lockstep.
    await sleep(Math.random() * Math.min(2 ** attempt, 50));
  }
}

/** Writes the owner record aside, then links it into place: the lock exists complete or not at all. */
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const draft = scratchPath(path);
  await writeFile(draft, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(draft);
  }
}

/** Breaks the lock at `path` if its holder is gone; true when there is no lock there any more. */
export async function breakIfStale(path: string, staleMs: number): Promise<boolean> {
  const held = await readLock(path);
  if (!held) return true;
  if (!isStale(held, staleMs)) return false;
  await breakLock(path, held.content);
  return true;
}

/** The lock's content and when it was written; undefined when it was released meanwhile. */
async function readLock(path: string): Promise<{ content: string; writtenAt: number } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, writtenAt: info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(held: { content: string; writtenAt: number }, staleMs: number): boolean {
  if (Date.now() - held.writtenAt > staleMs) return true;
  const holder = parseOwner(held.content);
  if (!holder || holder.host !== hostname()) return false;
  if (holder.pid !== process.pid) return !isAlive(holder.pid);
  // Our pid and thread, but written before this thread started: an earlier process that had our pid.
  return (holder.thread ?? threadId) === threadId && held.writtenAt < performance.timeOrigin;
}

function parseOwner(content: string): LockOwner | undefined {
  try {
    const value = JSON.parse(content) as Partial<LockOwner>;
    return typeof value.host === 'string' && typeof value.pid === 'number' && typeof value.token === 'string'
      ? (value as LockOwner)
      : undefined;
  } catch {
    return undefined; // not ours to judge: left to the age rule
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
 * Whether the writer of a scratch file (see `scratchPath`) is gone: a dead process, an earlier process that
 * had our pid (the file is older than this process), or any writer of a file older than `staleMs` (scratch
 * files live for milliseconds).
 */
export function scratchWriterIsGone(fileName: string, writtenAt: number, staleMs: number): boolean {
  if (Date.now() - writtenAt > staleMs) return true;
  const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(fileName)?.[1]);
  if (!Number.isInteger(pid)) return false;
  return pid === process.pid ? writtenAt < performance.timeOrigin : !isAlive(pid);
}

/**
 * Moves the stale lock aside (atomic: of several breakers one wins), then checks that what it moved is the
 * lock it judged stale. If another process acquired a fresh lock in between, that lock is put back.
 */
async function breakLock(path: string, staleContent: string): Promise<void> {
  const aside = scratchPath(path);
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
