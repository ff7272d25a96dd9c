/**
 * Workers sharing a task queue must share their state: a worker whose secret store, ledger or payload key
 * lives on its own host would not see what another host's worker wrote (and could not decode its payloads).
 * Each worker therefore names its state in its Temporal identity, `<pid>@<host> state=<tag>`: `shared` when
 * every store is shared, `local-<id>` otherwise, where the id belongs to the state directory (created once in
 * it). A worker refuses to start while the task queue has a recent poller with another tag.
 */
import proto from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const { TaskQueueType } = proto.temporal.api.enums.v1;

const SHARED = 'shared';
const TAG = / state=(\S+)$/;
/** A poller seen this recently may still be running (a worker polls again at least every minute). */
const RECENT_MS = 90_000;

export class StateNotShared extends Error {
  override name = 'StateNotShared';
}

/** The worker's identity: who it is and which state it uses. */
export async function workerIdentity(hostLocalState: readonly string[], stateDir: string): Promise<string> {
  const tag = hostLocalState.length === 0 ? SHARED : `local-${await stateId(stateDir)}`;
  return `${process.pid}@${hostname()} state=${tag}`;
}

/** Refuses when another worker with other state polls `taskQueue` (its identity says which state it uses). */
/** The identities of the workers that polled `taskQueue` recently (for workflow or activity tasks). */
export async function recentPollers(
  connection: Pick<NativeConnection, 'workflowService'>,
  options: { namespace: string; taskQueue: string },
): Promise<Set<string>> {
  const since = Date.now() - RECENT_MS;
  const identities = new Set<string>();
  for (const taskQueueType of [
    TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  ]) {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: options.namespace,
      taskQueue: { name: options.taskQueue },
      taskQueueType,
    });
    for (const poller of pollers ?? []) {
      const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
      if (seconds * 1000 >= since) identities.add(poller.identity || '(no identity)');
    }
  }
  return identities;
}

export async function assertStateShared(
  connection: Pick<NativeConnection, 'workflowService'>,
  options: { namespace: string; taskQueue: string; identity: string; hostLocalState: readonly string[] },
): Promise<void> {
  const ours = TAG.exec(options.identity)?.[1];
  const others = [...(await recentPollers(connection, options))].filter(
    (identity) => TAG.exec(identity)?.[1] !== ours,
  );
  if (others.length === 0) return;
  const local = options.hostLocalState.length
    ? `This worker keeps ${options.hostLocalState.join(', ')} on this host.`
    : 'This worker uses shared stores; the other keeps its state on its own host.';
  throw new StateNotShared(
    `Task queue ${options.taskQueue} is polled by ${others.join(', ')} with other state. ${local} ` +
      'Give every worker the same shared stores (PROVISIONER_SECRET_STORE=aws, PROVISIONER_DATABASE_URL, PROVISIONER_CODEC_KEYS), ' +
      'or stop the other worker (its polls stay listed for about 90 s).',
  );
}

/** The state directory's id, created with it: another directory, on this host or another, has another id. */
async function stateId(stateDir: string): Promise<string> {
  const file = join(stateDir, 'state-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: a reader never sees a half-written file, and one creator wins.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${randomBytes(8).toString('hex')}\n`, { mode: 0o600 });
  try {
    await link(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(temp);
  }
  return (await readFile(file, 'utf8')).trim();
}
