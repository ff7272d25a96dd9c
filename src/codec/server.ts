/**
 * The codec server: lets authorized operators read encrypted payloads in the Temporal Web UI and CLI
 * (`temporal workflow show --codec-endpoint <url> --codec-auth "Bearer <token>"`). Temporal's codec server
 * protocol: `POST /encode` and `POST /decode` with `{"payloads": [...]}` in proto3 JSON, answered in the same
 * shape; the Web UI also sends `X-Namespace` (one set of keys serves every namespace here).
 *
 * Every request but a CORS preflight carries `Authorization: Bearer <token>`; browsers may call only from the
 * allowed origins. Nothing here logs a payload, a header or a request body.
 */
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { EncryptionCodec, PayloadDecryptionError } from './encryption-codec.js';
import type { Keyring } from '../keyring.js';
import { BadBody, payloadsFromJson, PayloadsJson, payloadsToJson } from './proto-json.js';
import { parseOrThrow } from '../model/validation.js';

export interface CodecServerOptions {
  keys: Keyring;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  authToken: string;
  /** Browser origins (e.g. the Web UI's http://localhost:8233) allowed to call; others get 403. */
  allowedOrigins: readonly string[];
  /** Default 4 MiB; larger bodies get 413. */
  bodyLimitBytes?: number;
  /** One line per request (method, route, status, duration); nothing when absent. */
  logger?: Logger;
  /**
   * Development only, for a Web UI that cannot send an Authorization header (the dev server's UI): also
   * accept the token as the first path segment, `POST /<token>/decode`, and report that endpoint as
   * `browserEndpoint`. Allowed only on a loopback host.
   */
  acceptTokenInPath?: boolean;
}

export interface CodecServer {
  /** Base URL, without credentials: `<url>/decode`, `<url>/encode`. */
  url: string;
  /**
   * With `acceptTokenInPath`: the endpoint to give the Web UI (`--ui-codec-endpoint`). It contains the
   * token: never log or print it.
   */
  browserEndpoint: string | undefined;
  close(): Promise<void>;
}

const CLIENT_ERRORS: Record<number, string> = {
  400: 'body is not valid JSON',
  413: 'body is larger than the limit',
  415: 'content type must be application/json',
};
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const CORS_HEADERS = {
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, X-Namespace',
  'access-control-max-age': '600',
};

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.acceptTokenInPath && !LOOPBACK_HOSTS.has(host)) {
    throw new Error(
      `Codec server: acceptTokenInPath is for development and needs a loopback host, not ${host}`,
    );
  }
  if (options.authToken.length === 0) throw new Error('Codec server: the auth token is empty');
  const codec = new EncryptionCodec(options.keys);
  const allowedOrigins = new Set(options.allowedOrigins);
  const expectedToken = digest(options.authToken);
  const log = options.logger;

  // Fastify's own logger stays off: it would log URLs (which may carry the token) and error messages
  // (a JSON parse error quotes the body).
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT });

  // Callback-style hooks: a hook that answers early sends the reply and does not call done().
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) return done(); // not a browser (CLI, curl): CORS does not apply
    if (!allowedOrigins.has(origin)) return void reply.code(403).send({ error: 'origin not allowed' });
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method === 'OPTIONS') return done(); // preflights carry no credentials
    const presented = bearerToken(request) ?? (options.acceptTokenInPath ? pathToken(request) : undefined);
    if (presented === undefined || !timingSafeEqual(digest(presented), expectedToken)) {
      return void reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    }
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    log?.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched', // the pattern, never the URL: it may carry the token
        statusCode: reply.statusCode,
        namespace: request.headers['x-namespace'],
        ms: Math.round(reply.elapsedTime),
      },
      'codec server request',
    );
    done();
  });

  const convert =
    (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
      const body = parseOrThrow(
        PayloadsJson,
        request.body,
        () => new BadBody('body must be {"payloads": [...]} in proto3 JSON form'),
      );
      const payloads = payloadsFromJson(body);
      const converted = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      return reply.send(payloadsToJson(converted));
    };
  const prefixes = options.acceptTokenInPath ? ['', '/:token'] : [''];
  for (const prefix of prefixes) {
    app.post(`${prefix}/encode`, convert('encode'));
    app.post(`${prefix}/decode`, convert('decode'));
  }
  app.options('*', (_request, reply) => void reply.code(204).headers(CORS_HEADERS).send());
  app.setNotFoundHandler(
    (_request, reply) => void reply.code(404).send({ error: 'use POST /encode or /decode' }),
  );

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof PayloadDecryptionError || error instanceof BadBody) {
      return reply.code(400).send({ error: error.message });
    }
    const status = error.statusCode ?? 500;
    // Fixed messages only: Fastify's own may quote the body (JSON.parse's does).
    if (status < 500) return reply.code(status).send({ error: CLIENT_ERRORS[status] ?? 'bad request' });
    log?.error({ errorName: error.name, code: error.code }, 'codec server failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url,
    browserEndpoint: options.acceptTokenInPath
      ? `${url}/${encodeURIComponent(options.authToken)}`
      : undefined,
    close: () => app.close(),
  };
}

/** Compared as SHA-256 digests: equal lengths for timingSafeEqual, whatever was presented. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function pathToken(request: FastifyRequest): string | undefined {
  return (request.params as { token?: string } | undefined)?.token;
}
