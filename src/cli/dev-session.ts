/**
 * Where a running `provisioner dev` can be reached. It keeps this file in its state directory while it runs,
 * so commands started beside it (the same directory, or the same PROVISIONER_STATE_DIR) reach its Temporal
 * server on whatever port it took, without TEMPORAL_ADDRESS. An explicit TEMPORAL_ADDRESS always wins.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const SESSION_FILE = 'dev-session.json';

const DevSession = z.object({
  temporalAddress: z.string().min(1),
  namespace: z.string().min(1),
  pid: z.number().int().positive(),
});
export type DevSession = z.infer<typeof DevSession>;

/** Records the session; the returned function removes it (when `dev` stops). */
export async function recordDevSession(stateDir: string, session: DevSession): Promise<() => Promise<void>> {
  const path = join(stateDir, SESSION_FILE);
  await writeFile(path, JSON.stringify(session), { mode: 0o600 });
  return () => rm(path, { force: true });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** `env` with the running dev session's Temporal address and namespace, when it names none itself. */
export async function withDevSession(stateDir: string, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  if (env.TEMPORAL_ADDRESS || env.TEMPORAL_PROFILE) return env;
  const text = await readFile(join(stateDir, SESSION_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return env; // a file cut short by a crash: no session
  }
  const session = DevSession.safeParse(parsed);
  if (!session.success || !isAlive(session.data.pid)) return env;
  return {
    ...env,
    TEMPORAL_ADDRESS: session.data.temporalAddress,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE ?? session.data.namespace,
  };
}
