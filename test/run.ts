/**
 * `npm test` after lint and typecheck: starts ONE real Temporal dev server, ONE PostgreSQL cluster and ONE
 * moto Secrets Manager emulator for the whole run, builds the workflow bundle once, runs every test file
 * with the Node test runner against them, and tears them down however the tests end. Arguments narrow the
 * run to some test files.
 *
 * `--unit` (`npm run test:unit`): the fast lane, every `*.unit.test.ts` (a test that needs none of those
 * servers; it may start the IdP sandbox itself), with no server started.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Connection } from '@temporalio/client';
import { describeBinary } from '../src/dev/temporal-binary.js';
import { startDevServer } from '../src/dev/temporal-dev-server.js';
import { ensureSearchAttributes } from '../src/temporal/register-search-attributes.js';
import { generateAuthToken, startCodecServer } from '../src/codec/index.js';
import { generateKey, parseKeyring } from '../src/keyring.js';
import { createLogger } from '../src/log.js';
import { bundleWorkflows } from '../src/worker.js';
import { freePort } from './support/ports.js';
import { startMoto, startPostgres } from './support/state-servers.js';

async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(process.cwd(), join(e.parentPath, e.name)))
    .sort();
}

/** Runs test files in this order, `concurrency` at a time, in a child process; resolves to its exit code. */
async function runTestFiles(files: string[], env: NodeJS.ProcessEnv, concurrency: number): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('test', 'run-files.ts'), String(concurrency), ...files],
    { stdio: 'inherit', env },
  );
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}

const log = (line: string) => console.log(`[test-run] ${line}`);

if (process.argv[2] === '--unit') {
  const unitFiles = (await testFiles('test')).filter((f) => f.endsWith('.unit.test.ts'));
  const { TEMPORAL_ADDRESS: _unused, ...env } = process.env; // a unit test must not reach a Temporal server
  const unitStarted = Date.now();
  // Unit files mostly wait on their own sandbox over HTTP: four at a time keep 2 cores busy.
  const code = await runTestFiles(unitFiles, env, 4);
  log(`${unitFiles.length} unit test files in ${((Date.now() - unitStarted) / 1000).toFixed(1)} s`);
  process.exit(code);
}

/**
 * The longest files, started first: with three files at a time, one of them starting last would keep the run
 * going alone for minutes (production-install builds and installs a copy of the project).
 */
const LONGEST_FIRST = [
  'test/worker/production-install.test.ts',
  'test/api/schemathesis.test.ts',
  'test/workflows/rotation-crash.test.ts',
  'test/cli/commands.test.ts',
  'test/desired-state/fleet.test.ts',
  'test/cli/dev.test.ts',
];
const rank = (file: string) => {
  const index = LONGEST_FIRST.indexOf(file);
  return index === -1 ? LONGEST_FIRST.length : index;
};
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : (await testFiles('test')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const work = await mkdtemp(join(tmpdir(), 'provisioner-test-'));
const started = Date.now();
// The run's Web UI decodes payloads through a codec server holding the run's own payload key; the
// operator-facing tests encrypt with that key (PROVISIONER_TEST_CODEC_KEYS).
const codecKeys = `run:${generateKey()}`;
const uiPort = await freePort();
const codec = await startCodecServer({
  keys: parseKeyring(codecKeys, 'PROVISIONER_CODEC_KEYS'),
  authToken: generateAuthToken(),
  allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  acceptTokenInPath: true,
});
const starting = await Promise.allSettled([
  startDevServer({ log, uiPort, uiCodecEndpoint: codec.browserEndpoint }),
  startPostgres(),
  startMoto(),
] as const);
const [devServer, postgresServer, motoServer] = starting;
if (
  devServer.status === 'rejected' ||
  postgresServer.status === 'rejected' ||
  motoServer.status === 'rejected'
) {
  // Stop whatever did start, then report what did not.
  for (const started of starting) if (started.status === 'fulfilled') await started.value.stop();
  await codec.close();
  await rm(work, { recursive: true, force: true });
  // One line per server that did not start, saying what to install.
  for (const failed of starting)
    if (failed.status === 'rejected')
      console.error(`[test-run] cannot start the tests: ${(failed.reason as Error).message.split('\n')[0]}`);
  process.exit(1);
}
const [server, postgres, moto] = [devServer.value, postgresServer.value, motoServer.value];
let exitCode = 1;
try {
  log(`PostgreSQL at ${postgres.url}, Secrets Manager emulator (moto) at ${moto.url}`);
  log(
    `Temporal dev server (CLI ${describeBinary(server.cli)}, from ${server.cli.source}) at ${server.address}, Web UI ${server.uiUrl}, started in ${Date.now() - started} ms`,
  );
  const connection = await Connection.connect({ address: server.address });
  await ensureSearchAttributes(connection, server.namespace);
  await connection.close();

  const bundleStarted = Date.now();
  const code = await bundleWorkflows(createLogger('warn'));
  const bundlePath = join(work, 'workflow-bundle.js');
  await writeFile(bundlePath, code);
  log(`workflow bundle built once in ${Date.now() - bundleStarted} ms (${code.length} bytes)`);

  // Three files at a time: most of a test waits on the sandbox, Temporal or a child process, so three keep
  // 2 cores busy (measured: 1128 s one at a time, 804 s three at a time); the servers are shared, each file
  // has its own task queue and state.
  exitCode = await runTestFiles(
    files,
    {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      PROVISIONER_TEST_WORKFLOW_BUNDLE: bundlePath,
      PROVISIONER_TEST_ARTIFACTS: join(process.cwd(), 'test-artifacts'),
      PROVISIONER_TEST_CODEC_KEYS: codecKeys,
      PROVISIONER_TEST_UI_URL: server.uiUrl,
      PROVISIONER_TEST_TEMPORAL_CLI: server.cli.path,
      PROVISIONER_TEST_DATABASE_URL: postgres.url,
      PROVISIONER_TEST_AWS_ENDPOINT: moto.url,
    },
    3,
  );
} finally {
  await server.stop();
  await postgres.stop();
  await moto.stop();
  await codec.close();
  await rm(work, { recursive: true, force: true });
  log(`servers stopped; tests exited with ${exitCode}`);
}
process.exit(exitCode);
