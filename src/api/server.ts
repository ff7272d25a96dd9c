/**
 * The HTTP API (`provisioner api`): Fastify with four concerns, each in one place — who is calling (auth.ts),
 * what they may do (each route's permission), idempotent starts (idempotency.ts) and errors as problem
 * documents (problems.ts) — around the route table (routes/), which the OpenAPI document and the reference
 * page are built from. Stateless: the ledger and Temporal hold everything, so replicas can run side by side.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HTTPMethods,
} from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProvisionerClient } from '../client/index.js';
import type { ProvisioningLedger } from '../ledger/index.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets/index.js';
import { authenticator, type Principal } from './auth.js';
import type { JwtVerification } from './config.js';
import {
  answerOnce,
  apiRequestToken,
  IDEMPOTENCY_RETENTION_MS,
  idempotencyKeyOf,
  requestDigest,
} from './idempotency.js';
import { openApiDocument } from './openapi.js';
import {
  fieldErrors,
  Problem,
  PROBLEM_TYPES,
  problemDocument,
  toProblem,
  type FieldError,
} from './problems.js';
import { referencePage } from './reference-page.js';
import { auditDetailsOf, type AuditDetails } from './route.js';
import { readRoutes } from './routes/reads.js';
import { startRoutes } from './routes/starts.js';
import { taskRoutes } from './routes/tasks.js';
import type { z } from 'zod';

export interface ApiServerOptions {
  client: ProvisionerClient;
  ledger: ProvisioningLedger;
  /** Where a bank API key handed over (`POST /v1/banks/{bankGuid}/credential`) is stored first. */
  secrets: SecretStore;
  /** Gets one audit line per accepted request, and unexpected errors. */
  logger: Logger;
  jwt?: JwtVerification;
  /** Requests per minute per caller, on this replica. */
  rateLimitPerMinute: number;
  /** Default 4 MiB: room for the largest onboarding the contract allows. */
  bodyLimitBytes?: number;
  version: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    audit?: AuditDetails & { operation: string; replayed?: boolean };
  }
}

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
/** Longer than any identifier of the API (an operation id is at most 187 characters); longer is 414. */
export const MAX_PATH_PARAMETER_LENGTH = 256;
/** The longest request path a problem document names as its `instance`; the rest is not echoed. */
const MAX_INSTANCE_LENGTH = 300;
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

function parsePart<T>(where: FieldError['in'], schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const errors = fieldErrors(where, parsed.error);
    throw new Problem('invalid-input', errors.map((e) => `${e.field || where}: ${e.message}`).join('; '), {
      errors,
    });
  }
  return parsed.data;
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: Problem) {
  const path = pathOf(request);
  const instance = path.length > MAX_INSTANCE_LENGTH ? `${path.slice(0, MAX_INSTANCE_LENGTH)}…` : path;
  return reply
    .code(PROBLEM_TYPES[problem.problem].status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send(problemDocument(problem, instance));
}

/**
 * A route's body: required where the route has one unless it is optional (the OpenAPI document says which),
 * then its schema. An optional body left out is read as `{}`.
 */
function parseBody<T>(schema: z.ZodType<T> | undefined, body: unknown, optional: boolean): T {
  if (schema && body === undefined && optional) return parsePart('body', schema, {});
  if (schema && body === undefined) {
    const message = 'a JSON body is required';
    throw new Problem('invalid-input', `body: ${message}`, {
      errors: [{ in: 'body', field: '', message }],
    });
  }
  return parsePart('body', schema, body);
}

/**
 * Which methods each path of the API allows (HEAD wherever GET is), so that a request the router does not
 * match is told 405 with `Allow` on a known path, whatever its method, and 404 elsewhere.
 */
function methodsByPath(paths: [path: string, method: HTTPMethods][]) {
  const allowed = new Map<string, Set<string>>();
  for (const [path, method] of paths) {
    const methods = allowed.get(path) ?? new Set<string>();
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    allowed.set(path, methods);
  }
  const patterns = [...allowed].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
    allow: [...methods].join(', '),
  }));
  return (request: FastifyRequest): Problem => {
    const known = patterns.find(({ pattern }) => pattern.test(pathOf(request)));
    return known
      ? new Problem(
          'method-not-allowed',
          `${request.method} is not allowed here; use ${known.allow}`,
          {},
          { allow: known.allow },
        )
      : new Problem('not-found', 'No such route');
  };
}

/**
 * A request Node's HTTP parser could not read (an unknown method, a malformed or oversized header): a
 * problem too, written on the socket as Fastify's default handler does; a reset connection gets nothing.
 */
function unreadableRequest(error: NodeJS.ErrnoException, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const body = JSON.stringify(
      problemDocument(new Problem('malformed-request', 'The request could not be read as HTTP'), ''),
    );
    socket.write(
      `HTTP/1.1 400 Bad Request\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const { client, ledger, logger } = options;
  const routes = [
    ...startRoutes(client),
    ...readRoutes(client, ledger),
    ...taskRoutes(client, options.secrets),
  ];
  const document = openApiDocument(routes, options.version);
  const page = referencePage(document, routes);
  const authenticate = authenticator(ledger, options.jwt);

  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const unrouted = methodsByPath([
    ['/openapi.json', 'GET'],
    ['/docs', 'GET'],
    ...routes.map((route): [string, HTTPMethods] => [route.path, route.method]),
  ]);

  // Fastify's own logger stays off: it would log URLs and error messages that may quote the body.
  const app = Fastify({
    logger: false,
    bodyLimit,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // Errors of the router itself (a path parameter too long, a broken percent-encoding): problems too.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, request, toProblem(error));
    },
    clientErrorHandler: unreadableRequest,
    // A `__proto__` or `constructor` key is dropped, as any key the schemas do not name is: the document
    // allows unnamed keys, so refusing the whole body (Fastify's default) would refuse a valid request.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
  });
  // Bodies are JSON only: anything else is 415 rather than a string the schemas then refuse.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', undefined);
  app.decorateRequest('audit', undefined);

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.problem === 'internal-error') {
      logger.error(
        { errorName: (error as Error).name, message: (error as Error).message },
        'API request failed',
      );
    }
    return sendProblem(reply, request, problem);
  });
  // Before any work, and before authentication (so the answer is the same with any key or none): a request
  // no route takes is 404 or 405, and a body declared larger than the limit is 413 unread. (A chunked body
  // without a length is cut at the limit while it is read, after authentication.)
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.is404) return done(unrouted(request));
    if (Number(request.headers['content-length']) > bodyLimit) {
      return done(new Problem('payload-too-large', `Bodies are limited to ${bodyLimit} bytes`));
    }
    done();
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, unrouted(request)));
  app.addHook('onResponse', (request, reply, done) => {
    if (request.audit && reply.statusCode < 400) {
      logger.info(
        { audit: { principal: request.principal?.id, status: reply.statusCode, ...request.audit } },
        'API request',
      );
    }
    done();
  });

  app.get('/openapi.json', (_request, reply) => reply.send(document));
  app.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));

  await app.register(async (v1) => {
    v1.addHook('onRequest', async (request) => {
      request.principal = await authenticate(request);
    });
    await v1.register(rateLimit, {
      hook: 'preHandler',
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => request.principal!.id,
      errorResponseBuilder: (_request, context) =>
        new Problem(
          'rate-limited',
          `More than ${context.max} requests in a minute; retry after ${context.after}`,
        ),
    });

    for (const route of routes) {
      v1.route({
        method: route.method,
        url: fastifyPath(route.path),
        handler: async (request, reply) => {
          const principal = request.principal!;
          if (!principal.permissions.has(route.permission)) {
            throw new Problem('forbidden', `This operation needs the "${route.permission}" permission`);
          }
          const key = route.idempotent ? idempotencyKeyOf(request.headers['idempotency-key']) : undefined;
          const params = parsePart('path', route.params, request.params);
          const query = parsePart('query', route.query, request.query);
          const body = parseBody(route.body, request.body, route.bodyOptional ?? false);
          const answer =
            key === undefined
              ? { ...(await route.handle({ params, query, body, principal, request })), replayed: false }
              : await answerOnce(
                  ledger,
                  principal.id,
                  key,
                  requestDigest(route.method, pathOf(request), body),
                  (takenOver) =>
                    route.handle({
                      params,
                      query,
                      body,
                      principal,
                      request,
                      start: { token: apiRequestToken(principal.id, key), takenOver },
                    }),
                );
          request.audit = {
            operation: route.operationId,
            ...auditDetailsOf(answer, params),
            replayed: answer.replayed,
          };
          if (answer.location) reply.header('location', answer.location);
          if (answer.replayed) reply.header('idempotent-replayed', 'true');
          return reply.code(answer.status).send(answer.body);
        },
      });
    }
  });

  // Answers are remembered for a day; older ones are forgotten now and then by whichever replica runs this.
  const prune = () =>
    ledger
      .pruneIdempotencyKeys(new Date(Date.now() - IDEMPOTENCY_RETENTION_MS).toISOString())
      .catch((err: unknown) =>
        logger.warn({ message: (err as Error).message }, 'pruning idempotency records failed'),
      );
  await prune();
  const timer = setInterval(() => void prune(), 3_600_000).unref();
  app.addHook('onClose', (_app, done) => {
    clearInterval(timer);
    done();
  });
  return app;
}

export interface RunningApiServer {
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(
  options: ApiServerOptions & { host?: string; port?: number },
): Promise<RunningApiServer> {
  const app = await buildApiServer(options);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, close: () => app.close() };
}
