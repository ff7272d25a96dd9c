/**
 * The sandbox's Fastify application: body parsers, fault hooks, the IdP routes and clean 4xx answers for
 * everything malformed (bad JSON, wrong content type, bodies over 1 MiB, unknown paths, wrong methods).
 */
import Fastify, { type FastifyBodyParser, type FastifyError, type FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LostResponse, SandboxContext } from './context.js';
import { errorResponse, SandboxError } from './http-errors.js';
import { applicationRoutes } from './routes/applications.js';
import { controlRoutes } from './routes/control.js';
import { customerTokenRoutes } from './routes/customer-tokens.js';
import { oauthTokenRoutes } from './routes/oauth-token.js';
import { portalRoutes } from './routes/portal.js';
import { userRoutes } from './routes/users.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Fixed message: JSON.parse's own would quote the body, which may hold a client secret. */
const parseJson: FastifyBodyParser<string> = (_request, body, done) => {
  if (body === '') return done(null, undefined); // lenient: some clients label empty DELETE bodies as JSON
  try {
    done(null, JSON.parse(body));
  } catch {
    done(new SandboxError(400, 'invalid_json', 'Request body is not valid JSON'), undefined);
  }
};

const parseForm: FastifyBodyParser<string> = (_request, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body)));
};

const pathOf = (url: string) => url.split('?', 1)[0]!;
const isFaultable = (path: string) => path.startsWith('/api/') || path === '/oauth/token';
const WRITE_METHODS = new Set(['POST', 'PATCH', 'DELETE']);

/** Fastify's own 4xx errors, answered as ErrorResponse with a stable message_code and a safe message. */
function fastifyClientError(err: FastifyError): SandboxError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SandboxError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SandboxError(413, 'payload_too_large', `Request body exceeds ${BODY_LIMIT_BYTES} bytes`);
  }
  const status = err.statusCode ?? 500;
  return status >= 400 && status < 500 ? new SandboxError(status, 'bad_request', err.message) : undefined;
}

function installFaults(app: FastifyInstance, ctx: SandboxContext): void {
  const losing = new WeakSet<object>();

  app.addHook('onRequest', async (request) => {
    const path = pathOf(request.url);
    if (!isFaultable(path)) return;
    ctx.stats.requests++;
    const { latencyMs } = ctx.faults.current();
    if (latencyMs > 0) await sleep(latencyMs);
    const decision = ctx.faults.decide(path.startsWith('/api/') && WRITE_METHODS.has(request.method));
    switch (decision.kind) {
      case 'error':
        throw new SandboxError(decision.status, 'internal_server_error', 'Internal server error');
      case 'rateLimited':
        ctx.stats.rateLimited++;
        throw new SandboxError(429, 'too_many_requests', 'Too many requests', { 'retry-after': '1' });
      case 'throttle':
        throw new SandboxError(429, 'too_many_requests', 'Too many requests', { 'retry-after': '1' });
      case 'lostResponse':
        losing.add(request);
        break;
      case 'none':
        break;
    }
  });

  // The write has committed by now; only a successful write loses its answer, as a dropped connection would.
  app.addHook('onSend', async (request, reply, payload) => {
    if (losing.has(request) && reply.statusCode < 300) {
      ctx.stats.lostResponses.push({
        method: request.method,
        path: pathOf(request.url),
        ...written(payload),
      });
      reply.raw.destroy();
    }
    return payload;
  });
}

/** What a write's answer identifies: a user's email and guid, or an application's client id. */
function written(payload: unknown): Omit<LostResponse, 'method' | 'path'> {
  if (typeof payload !== 'string' || payload === '') return {};
  const body = JSON.parse(payload) as { email?: unknown; guid?: unknown; client_id?: unknown };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { email: text(body.email), guid: text(body.guid), clientId: text(body.client_id) };
}

export function buildApp(ctx: SandboxContext, logger: boolean | object): FastifyInstance {
  // Closing destroys every connection, so no client keeps a keep-alive socket into a stopped sandbox.
  const app = Fastify({ logger, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = err instanceof SandboxError ? err : fastifyClientError(err);
    if (known) return reply.code(known.status).headers(known.headers).send(known.body());
    request.log.error({ err }, 'sandbox handler failed');
    return reply.code(500).send(errorResponse(500, 'internal_server_error', 'Internal server error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorResponse(404, 'not_found', `No route ${request.method} ${pathOf(request.url)}`)),
  );

  installFaults(app, ctx);
  applicationRoutes(app, ctx);
  userRoutes(app, ctx);
  customerTokenRoutes(app, ctx);
  controlRoutes(app, ctx);
  // Form bodies are accepted by /oauth/token only, so the parser lives in its own encapsulated context.
  void app.register((tokenScope, _options, done) => {
    tokenScope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parseForm);
    oauthTokenRoutes(tokenScope, ctx);
    done();
  });
  // The Portal's form posts, likewise in their own context.
  void app.register((portalScope, _options, done) => {
    portalRoutes(portalScope, ctx);
    done();
  });
  return app;
}
