/**
 * Cybrid's own published generated IdP client (PyPI cybrid-api-id-python, pinned per contract, installed by
 * scripts/install-python-tools.sh) drives every operation against the sandbox of its contract: every answer
 * must deserialize and pass the client's model validations; under v0.129.1425 API-key tokens are refused
 * every write with 403 and the Portal token is allowed them; under v0.129.899 API keys write.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import type { IdpContract } from '../../src/model/idp-scopes.js';

const run = promisify(execFile);

const READS = [
  'listBankApplications',
  'getBankApplication',
  'listOrganizationApplications',
  'getOrganizationApplication',
  'listUser',
  'getUser',
];
const WRITES = [
  'createBankApplication',
  'updateBankApplication',
  'deleteBankApplication',
  'createOrganizationApplication',
  'updateOrganizationApplication',
  'deleteOrganizationApplication',
  'createUser',
  'updateUser',
  'disableUser',
];

interface Outcome {
  actor: 'api-key' | 'portal' | 'bank-key';
  op: string;
  outcome: string;
}

async function drive(
  sandbox: RunningSandbox,
  contract: IdpContract,
): Promise<{ version: string; results: Outcome[] }> {
  const python = join('.cache', `cybrid-api-id-python-${contract}`, 'bin', 'python');
  assert.ok(existsSync(python), `${python} is missing: run scripts/install-python-tools.sh`);
  const { stdout } = await run(python, [join('test', 'sandbox', 'python-client', 'drive.py')], {
    env: {
      PATH: process.env.PATH,
      SANDBOX_URL: sandbox.url,
      ORG_CLIENT_ID: sandbox.orgCredentials.clientId,
      ORG_CLIENT_SECRET: sandbox.orgCredentials.clientSecret,
    },
    timeout: 120_000,
  });
  return JSON.parse(stdout) as { version: string; results: Outcome[] };
}

/** What each (actor, operation) must come to: "ok" (answered, deserialized, validated) or "http 403". */
function expected(contract: IdpContract): Outcome[] {
  const apiKeyWrites = contract === '0.129.1425' ? 'http 403' : 'ok';
  const reads = contract === '0.129.1425' ? [...READS, 'getBankApplication by guid'] : READS;
  return [
    ...reads.map((op) => ({ actor: 'api-key' as const, op, outcome: 'ok' })),
    ...WRITES.map((op) => ({ actor: 'api-key' as const, op, outcome: apiKeyWrites })),
    ...reads.map((op) => ({ actor: 'portal' as const, op, outcome: 'ok' })),
    ...WRITES.map((op) => ({ actor: 'portal' as const, op, outcome: 'ok' })),
    { actor: 'bank-key', op: 'createCustomerToken', outcome: 'ok' },
  ];
}

const key = (o: Outcome) => `${o.actor} ${o.op}`;
const sorted = (outcomes: Outcome[]) =>
  outcomes.map((o) => `${key(o)}: ${o.outcome}`).sort((a, b) => a.localeCompare(b));

for (const contract of ['0.129.1425', '0.129.899'] as const) {
  describe(`Cybrid's published python client ${contract} against the sandbox on contract ${contract}`, () => {
    let sandbox: RunningSandbox;
    before(async () => {
      sandbox = await startSandbox({ database: ':memory:', contract });
    });
    after(() => sandbox.close());

    it('runs every one of the 16 operations; answers deserialize; API-key writes as the contract says', async () => {
      const { version, results } = await drive(sandbox, contract);
      assert.equal(version, contract);
      const operations = new Set(results.map((r) => r.op.replace(/ by guid$/, '')));
      assert.equal(operations.size, 16, [...operations].join(', '));
      assert.deepEqual(sorted(results), sorted(expected(contract)));
    });
  });
}
