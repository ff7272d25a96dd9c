/**
 * The API holds to its own OpenAPI document as an outside client finds it: Schemathesis (pinned, installed by
 * scripts/install-python-tools.sh) generates requests from `/openapi.json` and runs every check against a real
 * `provisioner api` process, with a real worker, Temporal dev server and IdP sandbox behind it — with a
 * valid key, with no key and with an unknown key. Zero failures; the number of requests per operation of
 * each run is printed.
 */
import assert from 'node:assert/strict';
import { failureText } from '../support/history.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../../src/api/keys.js';
import { API_PERMISSIONS } from '../../src/api/permissions.js';
import { cleanEnv, startApi } from '../support/cli.js';
import { createTestWorld, type TestWorld } from '../support/env.js';
import { freePort } from '../support/ports.js';

const SCHEMATHESIS = resolve('.cache/python-tools/bin/st');
const SEED = 26;
/**
 * Without a valid key every request stops at authentication (or at 404/405 before it): the fuzzing phase
 * with a few examples per operation checks that; the valid key's run covers the other phases.
 */
const REFUSED = { maxExamples: 6, phases: 'examples,fuzzing' };
const ACCEPTED = { maxExamples: 10, phases: 'examples,coverage,fuzzing,stateful' };

interface Interaction {
  request: { method: string; uri: string };
  response?: { status_code: number };
}
type NdjsonEvent = {
  ScenarioFinished?: { recorder: { interactions?: Record<string, Interaction> } };
};

/**
 * Requests of a Schemathesis run by operation (`METHOD /template`); requests with a method a path does not
 * declare (Schemathesis's probes for 405) are counted together.
 */
function requestsByOperation(events: NdjsonEvent[], paths: Record<string, object>): Map<string, number> {
  const patterns = Object.entries(paths).map(([template, operations]) => ({
    template,
    methods: Object.keys(operations).map((m) => m.toUpperCase()),
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  const counts = new Map<string, number>();
  for (const event of events) {
    for (const { request } of Object.values(event.ScenarioFinished?.recorder.interactions ?? {})) {
      const path = new URL(request.uri).pathname;
      const found = patterns.find(({ pattern }) => pattern.test(path));
      const key = !found
        ? '(a path not in the document)'
        : found.methods.includes(request.method)
          ? `${request.method} ${found.template}`
          : '(an undeclared method, expecting 405)';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

describe('HTTP API under Schemathesis (--checks all)', { timeout: 15 * 60_000 }, () => {
  let world: TestWorld;
  let api: Awaited<ReturnType<typeof startApi>>;
  let base: string;
  let key: string;
  let reports: string;

  before(async () => {
    assert.ok(existsSync(SCHEMATHESIS), `${SCHEMATHESIS} missing: run scripts/install-python-tools.sh`);
    reports = await mkdtemp(join(tmpdir(), 'schemathesis-'));
    world = await createTestWorld();
    await world.startWorker();
    key = (await createApiKey(world.deps.ledger, 'schemathesis', [...API_PERMISSIONS])).key;
    const port = await freePort();
    // The limit is raised so that the operations are reached, not the rate limit (tested on its own).
    api = await startApi(port, {
      env: cleanEnv({ ...world.env, PROVISIONER_API_RATE_LIMIT: '1000000' }),
    });
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    if (api) {
      api.child.kill('SIGINT');
      await api.done;
    }
    await world?.close();
    if (reports) await rm(reports, { recursive: true, force: true });
  });

  /** One run; `token` is given to Schemathesis as the document's bearer scheme, so its auth checks know it. */
  async function schemathesis(
    name: string,
    token: string | undefined,
    { maxExamples, phases }: { maxExamples: number; phases: string },
  ) {
    const report = join(reports, `${name}.ndjson`);
    // Not named schemathesis.toml: Schemathesis would read that one from its working directory in every run.
    const config = join(reports, 'bearer-auth.toml');
    await writeFile(config, '[auth.openapi.bearer]\nbearer = "${PROVISIONER_TEST_BEARER}"\n');
    const args = [
      ...(token ? ['--config-file', config] : []),
      'run',
      `${base}/openapi.json`,
      '--checks',
      'all',
      '--seed',
      String(SEED),
      '--max-examples',
      String(maxExamples),
      '--phases',
      phases,
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--report',
      'ndjson',
      '--report-ndjson-path',
      report,
      '--generation-database',
      'none',
      // A health check of how fast Hypothesis generates data (slow on a busy CI machine), not of the API.
      '--suppress-health-check',
      'too_slow',
    ];
    const child = spawn(SCHEMATHESIS, args, {
      // Its working directory gets Schemathesis's own files, out of the repository.
      cwd: reports,
      env: {
        ...(token ? { PROVISIONER_TEST_BEARER: token } : {}),
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_COLOR: '1',
        // No __pycache__ of the hooks file in the repository.
        PYTHONDONTWRITEBYTECODE: '1',
        SCHEMATHESIS_HOOKS: resolve('test/api/schemathesis_hooks.py'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    const events = (await readFile(report, 'utf8'))
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as NdjsonEvent);
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const counts = requestsByOperation(events, document.paths);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[schemathesis ${name}] ${total} requests; by operation:\n${[...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([operation, n]) => `  ${operation}: ${n}`)
        .join('\n')}\n${/Test cases:\n.*\n/.exec(output)?.[0] ?? ''}`,
    );
    assert.equal(code, 0, `Schemathesis (${name}) found failures:\n${output}`);
    return { counts, output };
  }

  it('finds no failure with a valid key, and reaches every operation past authentication', async () => {
    const { output, counts } = await schemathesis('valid key', key, ACCEPTED);
    assert.doesNotMatch(output, /Authentication failed/);
    assert.equal(counts.get('(a path not in the document)'), undefined);
  });

  it('finds no failure without a key', async () => {
    await schemathesis('no key', undefined, REFUSED);
  });

  it('finds no failure with an unknown key', async () => {
    await schemathesis('unknown key', `prov_${'0'.repeat(16)}_${'A'.repeat(43)}`, REFUSED);
  });

  it('leaves no workflow stuck on a failed workflow task, whatever the requests started', async () => {
    const stuck: string[] = [];
    let workflows = 0;
    for await (const run of world.client.client.workflow.list({
      query: `TaskQueue = "${world.taskQueue}"`,
    })) {
      workflows += 1;
      const { events } = await world.client.client.workflow
        .getHandle(run.workflowId, run.runId)
        .fetchHistory();
      const failed = events?.find(
        (event) => event.workflowTaskFailedEventAttributes,
      )?.workflowTaskFailedEventAttributes;
      if (failed)
        stuck.push(
          `${run.workflowId} (${run.type}, cause ${failed.cause}): ${await failureText(failed.failure, world.deps.dataConverter)}`,
        );
    }
    assert.ok(workflows > 0, 'the runs started no workflow');
    assert.deepEqual(stuck, []);
  });
});
