import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import { generateKey, parseKeyring } from '../../src/keyring.js';
import { payloadsToJson } from '../../src/codec/proto-json.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { generateAuthToken } from '../../src/codec/server-config.js';
import { createLogger } from '../../src/log.js';

const KEYS = parseKeyring(`k1:${generateKey()}`, 'PROVISIONER_CODEC_KEYS');
const TOKEN = generateAuthToken();
const UI_ORIGIN = 'http://localhost:8233';
const EVIL_ORIGIN = 'http://evil.example';
const PLAINTEXT = 'PLAINTEXT-MARKER application secret reference for bank 42';
const BODY_LIMIT = 16 * 1024;

const codec = new EncryptionCodec(KEYS);
const encryptedBody = async (value: unknown = PLAINTEXT) =>
  JSON.stringify(payloadsToJson(await codec.encode([defaultPayloadConverter.toPayload(value)])));

interface Sent {
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

describe('codec server', () => {
  let server: CodecServer;
  const logLines: string[] = [];
  const post = ({ path = '/decode', body, headers = {} }: Sent) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    });

  before(async () => {
    server = await startCodecServer({
      keys: KEYS,
      authToken: TOKEN,
      allowedOrigins: [UI_ORIGIN],
      bodyLimitBytes: BODY_LIMIT,
      logger: createLogger('trace', { write: (line: string) => void logLines.push(line) }),
    });
  });
  after(() => server.close());

  it('listens on 127.0.0.1', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.browserEndpoint, undefined);
  });

  it('decodes with the right token, in the protocol shape', async () => {
    const response = await post({
      body: await encryptedBody({ note: PLAINTEXT }),
      headers: { 'x-namespace': 'default' },
    });
    assert.equal(response.status, 200);
    const json = (await response.json()) as {
      payloads: { metadata: Record<string, string>; data: string }[];
    };
    assert.equal(json.payloads.length, 1);
    const payload = json.payloads[0]!;
    assert.equal(Buffer.from(payload.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.deepEqual(JSON.parse(Buffer.from(payload.data, 'base64').toString()), { note: PLAINTEXT });
  });

  it('encodes, and what it encodes decodes back', async () => {
    const plain = JSON.stringify(payloadsToJson([defaultPayloadConverter.toPayload(PLAINTEXT)]));
    const encoded = await post({ path: '/encode', body: plain });
    assert.equal(encoded.status, 200);
    const encodedText = await encoded.text();
    assert.ok(!encodedText.includes(Buffer.from(JSON.stringify(PLAINTEXT)).toString('base64')));
    const decoded = await post({ body: encodedText });
    assert.equal(decoded.status, 200);
    assert.deepEqual(await decoded.json(), JSON.parse(plain));
  });

  it('answers 401 without a token, with a wrong one or another scheme, and decodes nothing', async () => {
    const body = await encryptedBody();
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      'Bearer',
    ]) {
      const response = await fetch(`${server.url}/decode`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      });
      assert.equal(response.status, 401, `authorization: ${authorization}`);
      assert.ok(!(await response.text()).includes(PLAINTEXT));
    }
  });

  it('answers a preflight from an allowed origin with CORS headers for that origin only', async () => {
    const response = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'x-namespace'])
      assert.ok(allowed.includes(header), header);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(response.headers.get('vary') ?? '', /Origin/);
  });

  it('refuses a preflight from another origin: 403 and no CORS headers', async () => {
    const response = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: EVIL_ORIGIN, 'access-control-request-method': 'POST' },
    });
    assert.equal(response.status, 403);
    for (const [name] of response.headers) assert.ok(!name.startsWith('access-control-'), name);
  });

  it('serves an allowed origin and refuses another one even with the right token', async () => {
    const body = await encryptedBody();
    const allowed = await post({ body, headers: { origin: UI_ORIGIN } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), UI_ORIGIN);

    const refused = await post({ body, headers: { origin: EVIL_ORIGIN } });
    assert.equal(refused.status, 403);
    for (const [name] of refused.headers) assert.ok(!name.startsWith('access-control-'), name);
    assert.ok(!(await refused.text()).includes(PLAINTEXT));
  });

  it('gives an allowed origin its CORS header on a 401 too, so the UI can show the error', async () => {
    const response = await post({
      body: '{}',
      headers: { origin: UI_ORIGIN, authorization: 'Bearer wrong' },
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
  });

  it('answers 413 over the body limit', async () => {
    const response = await post({ body: JSON.stringify({ payloads: [{ data: 'A'.repeat(BODY_LIMIT) }] }) });
    assert.equal(response.status, 413);
  });

  it('answers 400 to bad JSON without quoting it', async () => {
    const response = await post({ body: `{"payloads": [${PLAINTEXT}` });
    assert.equal(response.status, 400);
    assert.ok(!(await response.text()).includes('PLAINTEXT-MARKER'));
  });

  it('answers 400 to a body that is not {"payloads": [...]} in proto3 JSON', async () => {
    for (const body of [
      '{}',
      '[]',
      'null',
      '{"payloads": {}}',
      '{"payloads": [{"data": "***"}]}',
      '{"payloads": [{"metadata": {"encoding": 5}}]}',
    ]) {
      assert.equal((await post({ body })).status, 400, body);
    }
  });

  it('answers 400 naming the key id when a payload was encrypted with an unknown key', async () => {
    const other = new EncryptionCodec(parseKeyring(`retired:${generateKey()}`, 'PROVISIONER_CODEC_KEYS'));
    const body = JSON.stringify(
      payloadsToJson(await other.encode([defaultPayloadConverter.toPayload(PLAINTEXT)])),
    );
    const response = await post({ body });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /key id "retired"/);
  });

  it('passes payloads that are not encrypted through /decode unchanged', async () => {
    const body = JSON.stringify(payloadsToJson([defaultPayloadConverter.toPayload('plain')]));
    const response = await post({ body });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), JSON.parse(body));
  });

  it('answers 404 elsewhere', async () => {
    assert.equal((await post({ path: '/other', body: '{}' })).status, 404);
  });

  // Runs after the tests above (node:test runs a suite's tests in order): their requests are in the log.
  it('logs one line per request and never a payload, the plaintext or the token', () => {
    const log = logLines.join('');
    assert.ok(logLines.length >= 10, `expected request lines, got ${logLines.length}`);
    assert.match(log, /"route":"\/decode"/);
    assert.ok(!log.includes('PLAINTEXT-MARKER'), 'plaintext in the log');
    assert.ok(
      !log.includes(Buffer.from(JSON.stringify(PLAINTEXT)).toString('base64').slice(0, 24)),
      'payload in the log',
    );
    assert.ok(!log.includes(TOKEN), 'token in the log');
  });
});

describe('codec server: token in the path (development Web UI)', () => {
  let server: CodecServer;
  const logLines: string[] = [];
  before(async () => {
    server = await startCodecServer({
      keys: KEYS,
      authToken: TOKEN,
      allowedOrigins: [UI_ORIGIN],
      acceptTokenInPath: true,
      logger: createLogger('trace', { write: (line: string) => void logLines.push(line) }),
    });
  });
  after(() => server.close());

  it('decodes at the browser endpoint without an Authorization header, as the dev UI calls it', async () => {
    assert.equal(server.browserEndpoint, `${server.url}/${TOKEN}`);
    const response = await fetch(`${server.browserEndpoint}/decode`, {
      method: 'POST',
      body: await encryptedBody(),
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI_ORIGIN },
    });
    assert.equal(response.status, 200);
    const json = (await response.json()) as { payloads: { data: string }[] };
    assert.equal(JSON.parse(Buffer.from(json.payloads[0]!.data, 'base64').toString()), PLAINTEXT);
  });

  it('refuses a wrong token in the path', async () => {
    const response = await fetch(`${server.url}/${generateAuthToken()}/decode`, {
      method: 'POST',
      body: await encryptedBody(),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 401);
  });

  it('still accepts the bearer header', async () => {
    const response = await fetch(`${server.url}/decode`, {
      method: 'POST',
      body: await encryptedBody(),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
  });

  it('is refused on a host that is not loopback', async () => {
    await assert.rejects(
      startCodecServer({
        keys: KEYS,
        authToken: TOKEN,
        allowedOrigins: [],
        acceptTokenInPath: true,
        host: '0.0.0.0',
      }),
      /needs a loopback host/,
    );
  });

  it('logs the route pattern, never the token in the URL', () => {
    const log = logLines.join('');
    assert.match(log, /"route":"\/:token\/decode"/);
    assert.ok(!log.includes(TOKEN), 'token in the log');
  });
});

describe('codec server: without the path option', () => {
  let server: CodecServer;
  before(async () => {
    server = await startCodecServer({ keys: KEYS, authToken: TOKEN, allowedOrigins: [UI_ORIGIN] });
  });
  after(() => server.close());

  it('does not accept the token in the path', async () => {
    const response = await fetch(`${server.url}/${TOKEN}/decode`, {
      method: 'POST',
      body: await encryptedBody(),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 401);
  });
});
