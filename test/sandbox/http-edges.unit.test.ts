import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningSandbox } from '../../src/dev/sandbox/index.js';
import { assertError, call, guid, startSandboxWithAdmin } from './support.js';

/** Malformed requests get clean 4xx ErrorResponse answers, never a 500 or a crash. */
describe('sandbox malformed requests', () => {
  let sandbox: RunningSandbox;
  let admin: string;
  before(async () => ({ sandbox, admin } = await startSandboxWithAdmin()));
  after(() => sandbox.close());

  it('malformed JSON → 400 invalid_json, without echoing the body', async () => {
    const secretLike = 'S3cr3t-value-that-must-not-echo';
    assertError(
      await call(sandbox, 'POST', '/api/users', { token: admin, raw: `{"email": "${secretLike}"` }),
      400,
      'invalid_json',
      'Request body is not valid JSON',
    );
    const token = await call(sandbox, 'POST', '/oauth/token', { raw: `{"client_secret": "${secretLike}",}` });
    assertError(token, 400, 'invalid_json');
    assert.ok(!token.text.includes(secretLike));
  });

  it('a content type other than JSON → 415 (form bodies only on /oauth/token)', async () => {
    assertError(
      await call(sandbox, 'POST', '/api/users', {
        token: admin,
        raw: 'email=a@b.c',
        contentType: 'text/plain',
      }),
      415,
      'unsupported_media_type',
    );
    assertError(
      await call(sandbox, 'POST', '/api/users', {
        token: admin,
        raw: 'email=a@b.c',
        contentType: 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported_media_type',
    );
    assertError(
      await call(sandbox, 'POST', '/oauth/token', { raw: '<x/>', contentType: 'application/xml' }),
      415,
      'unsupported_media_type',
    );
    const charset = await call(sandbox, 'POST', '/api/users', {
      token: admin,
      raw: JSON.stringify({ email: `${guid()}@x.io` }),
      contentType: 'application/json; charset=utf-8',
    });
    assert.equal(charset.status, 201, charset.text);
  });

  it('bodies over 1 MiB → 413; just under is read (and then validated)', async () => {
    const over = JSON.stringify({ name: 'a'.repeat(1024 * 1024) });
    assertError(
      await call(sandbox, 'POST', '/api/organization_applications', { token: admin, raw: over }),
      413,
      'payload_too_large',
    );
    const under = JSON.stringify({ name: 'a'.repeat(1024 * 1024 - 20) });
    assert.ok(Buffer.byteLength(under) <= 1024 * 1024);
    assertError(
      await call(sandbox, 'POST', '/api/organization_applications', { token: admin, raw: under }),
      422,
      'invalid_parameter',
      /^name/,
    );
    assertError(await call(sandbox, 'POST', '/oauth/token', { raw: over }), 413, 'payload_too_large');
  });

  it('unknown paths → 404 not_found', async () => {
    for (const path of ['/api/nope', '/api/users/a/b', '/', '/oauth/authorize', '/__sandbox/nope']) {
      assertError(await call(sandbox, 'GET', path, { token: admin }), 404, 'not_found');
    }
  });

  it('unsupported methods on known paths → 405 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/api/users', 'GET, POST, HEAD'],
      ['DELETE', '/api/bank_applications', 'GET, POST, HEAD'],
      ['POST', `/api/organization_applications/${guid()}`, 'GET, PATCH, DELETE, HEAD'],
      ['GET', '/oauth/token', 'POST'],
      ['GET', '/api/customer_tokens', 'POST'],
      ['POST', '/__sandbox/stats', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const answer = await call(sandbox, method, path, { token: admin });
      assertError(answer, 405, 'method_not_allowed');
      assert.equal(answer.headers.get('allow'), allow);
    }
  });

  it('an empty body labelled JSON is accepted on DELETE', async () => {
    const created = await call(sandbox, 'POST', '/api/users', {
      token: admin,
      body: { email: `${guid()}@x.io` },
    });
    const path = `/api/users/${(created.body as { guid: string }).guid}`;
    const answer = await call(sandbox, 'DELETE', path, {
      token: admin,
      raw: '',
      contentType: 'application/json',
    });
    assert.equal(answer.status, 204, answer.text);
  });

  it('answers HEAD on list paths', async () => {
    const response = await fetch(`${sandbox.url}/api/users`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(response.status, 200);
  });
});
