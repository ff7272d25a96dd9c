import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { call, orgToken } from './support.js';
import { WRITING_CONTRACT } from '../support/contracts.js';

describe('sandbox under 500 concurrent requests', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:', contract: WRITING_CONTRACT });
  });
  after(() => sandbox.close());

  it('answers every one without errors of its own', async () => {
    const admin = await orgToken(sandbox);
    const requests = Array.from({ length: 500 }, (_, i) => {
      if (i % 5 === 0) return call(sandbox, 'GET', '/api/users', { token: admin });
      if (i % 5 === 1)
        return call(sandbox, 'POST', '/oauth/token', {
          body: {
            grant_type: 'client_credentials',
            client_id: sandbox.orgCredentials.clientId,
            client_secret: sandbox.orgCredentials.clientSecret,
            scope: 'users:read',
          },
        });
      return call(sandbox, 'POST', '/api/users', { token: admin, body: { email: `user-${i}@example.com` } });
    });
    const answers = await Promise.all(requests);
    const unexpected = answers.filter((a, i) => a.status !== (i % 5 < 2 ? 200 : 201));
    assert.deepEqual(
      unexpected.map((a) => `${a.status} ${a.text.slice(0, 100)}`),
      [],
    );
    const users = await call(sandbox, 'GET', '/api/users?per_page=1', { token: admin });
    assert.equal((users.body as { total: number }).total, 300);
  });
});
