/**
 * The real shared stores the test run starts once (test/run.ts): a throwaway PostgreSQL cluster (Debian's
 * binaries; initdb into a temporary directory, as the `postgres` user when running as root, since PostgreSQL
 * refuses root) and the moto Secrets Manager emulator, both on free loopback ports, removed at the end.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** The newest Debian PostgreSQL binaries (`apt-get install postgresql`), or PROVISIONER_TEST_PG_BIN. */
async function postgresBin(): Promise<string> {
  if (process.env.PROVISIONER_TEST_PG_BIN) return process.env.PROVISIONER_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? (await readdir(root)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
  if (!found)
    throw new Error(
      "PostgreSQL binaries not found: run `bash scripts/install-state-servers.sh` (it installs Debian's postgresql)",
    );
  return found;
}

export async function startPostgres(): Promise<RunningServer> {
  const bin = await postgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'provisioner-pg-'));
  const data = join(dir, 'data');
  await mkdir(data, { mode: 0o700 });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chmod(dir, 0o755);
    await chown(data, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const port = await freePort();
  await pg('initdb', ['-D', data, '-U', 'provisioner', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  await pg('pg_ctl', [
    '-D',
    data,
    '-l',
    join(data, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    'start',
  ]);
  return {
    url: `postgres://provisioner@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** moto_server from the cache `.ci/run` fills (pinned), or PROVISIONER_TEST_MOTO_SERVER. */
export async function startMoto(): Promise<RunningServer> {
  const binary = process.env.PROVISIONER_TEST_MOTO_SERVER ?? resolve('.cache/moto/bin/moto_server');
  if (!existsSync(binary)) {
    throw new Error(`moto_server not found at ${binary}: run \`bash scripts/install-state-servers.sh\``);
  }
  const port = await freePort();
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    const up = await fetch(`${url}/moto-api/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (waited > 30_000) throw new Error('moto_server did not answer within 30 s');
    await sleep(100);
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill();
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}
