/**
 * The OpenAPI 3.1 document, built from the route table and the zod schemas (z.toJSONSchema gives JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1), so it cannot drift from what the server checks. Webhook events are
 * described under `webhooks`.
 */
import { z } from 'zod';
import {
  DisableUsersResult,
  OffboardBankResult,
  OnboardBankResult,
  PersonTask,
  RevokeBankCredentialsResult,
  RotateBankCredentialsResult,
} from '../model/contract.js';
import {
  OPERATION_EVENTS,
  ROTATION_WAITING_EVENT,
  CREDENTIAL_EXPIRING_EVENT,
  TASK_EVENTS,
  type EventfulOperation,
} from '../model/workflow-safe/webhook-events.js';
import { CredentialExpiringData, OperationFailureSummary } from '../model/webhook-event-schemas.js';
import { DEFAULT_EXPIRY_NOTICE } from '../model/workflow-safe/operations.js';
import { IdempotencyKeyHeader } from './idempotency.js';
import { ipAllowlistEntryPattern } from './ip-allowlist-pattern.js';
import { IpAllowlist } from '../model/idp-schemas.js';
import { PROBLEM_TYPES, ProblemDocument, problemTypeUri, type ProblemName } from './problems.js';
import type { ApiRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

/** Some 60 kB: written once in the components, not in each body that has an allowlist. */
const IP_ALLOWLIST_ENTRY_REF = { $ref: '#/components/schemas/IpAllowlistEntry' };
const ipAllowlistEntry = () => ({
  type: 'string',
  pattern: ipAllowlistEntryPattern(),
  description:
    'A public IPv4 address or CIDR range: overlapping no private, loopback, link-local, CGNAT, documentation, multicast or reserved range, with no host bits set beyond the prefix',
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // The allowlist's entries are checked by a function (src/model/ip-allowlist.ts); the document says
      // the same with a pattern derived from the same ranges.
      if (zodSchema === IpAllowlist) {
        Object.assign(jsonSchema, { uniqueItems: true, items: IP_ALLOWLIST_ENTRY_REF });
      }
    },
  }) as JsonSchema;
  return rest;
}

/**
 * Problems any route may answer, whatever it does: authentication and permission, the rate limit, a
 * declared body over the limit (refused unread, whatever the method), a broken percent-encoding, and the
 * services behind the API being unavailable.
 */
const COMMON_PROBLEMS: ProblemName[] = [
  'malformed-request',
  'unauthorized',
  'forbidden',
  'payload-too-large',
  'rate-limited',
  'internal-error',
  'temporal-unavailable',
  'store-unavailable',
];
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const RETRY_AFTER = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'string', pattern: '^[0-9]+$' },
};
/** The headers a problem always carries. */
const PROBLEM_HEADERS: Partial<Record<ProblemName, Record<string, unknown>>> = {
  unauthorized: {
    'WWW-Authenticate': { description: 'The Bearer challenge', schema: { type: 'string' } },
  },
  'idempotency-key-in-progress': { 'Retry-After': RETRY_AFTER },
  'rate-limited': { 'Retry-After': RETRY_AFTER },
  'temporal-unavailable': { 'Retry-After': RETRY_AFTER },
  'store-unavailable': { 'Retry-After': RETRY_AFTER },
};

function problemResponses(names: ProblemName[]): Record<string, unknown> {
  const byStatus = new Map<number, ProblemName[]>();
  for (const name of [...new Set([...names, ...COMMON_PROBLEMS])]) {
    const { status } = PROBLEM_TYPES[name];
    byStatus.set(status, [...(byStatus.get(status) ?? []), name]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, problems]) => {
        // A header is required where every problem of the status carries it.
        const headers = Object.fromEntries(
          problems.flatMap((p) =>
            Object.entries(PROBLEM_HEADERS[p] ?? {}).map(([name, header]) => [
              name,
              { ...(header as object), required: problems.every((q) => PROBLEM_HEADERS[q]?.[name]) },
            ]),
          ),
        );
        return [
          String(status),
          {
            description: problems
              .map((p) => `\`${problemTypeUri(p)}\`: ${PROBLEM_TYPES[p].title}`)
              .join('; '),
            ...(Object.keys(headers).length > 0 ? { headers } : {}),
            content: { 'application/problem+json': { schema: PROBLEM_REF } },
          },
        ];
      }),
  );
}

type ObjectSchema = { properties?: Record<string, JsonSchema>; required?: string[] };

function parameters(route: ApiRoute): unknown[] {
  const path = route.params ? (jsonSchema(route.params, 'input') as ObjectSchema) : undefined;
  const query = route.query ? (jsonSchema(route.query, 'input') as ObjectSchema) : undefined;
  return [
    ...Object.entries(path?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema,
    })),
    ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: query?.required?.includes(name) ?? false,
      schema,
    })),
    ...(route.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            description:
              'Names this request: sending it again (same key, method, path and body) returns the first answer; the key with another request is refused (422). Remembered for 24 hours.',
            schema: jsonSchema(IdempotencyKeyHeader, 'input'),
          },
        ]
      : []),
  ];
}

function operation(route: ApiRoute): Record<string, unknown> {
  const { success } = route;
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description}\n\nPermission: \`${route.permission}\`.`,
    'x-permission': route.permission,
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: !route.bodyOptional,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(success.status)]: {
        description: success.description,
        ...(success.location
          ? { headers: { Location: { description: 'The operation to poll', schema: { type: 'string' } } } }
          : {}),
        content: { 'application/json': { schema: jsonSchema(success.schema, 'output') } },
      },
      ...problemResponses([
        ...route.problems,
        ...(route.params || route.query || route.body || route.idempotent
          ? (['invalid-input'] as const)
          : []),
        ...(route.params ? (['uri-too-long'] as const) : []),
        // A body is parsed on any POST, declared or not: JSON only.
        ...(route.method === 'POST' ? (['unsupported-media-type'] as const) : []),
        ...(route.idempotent ? (['idempotency-key-reused', 'idempotency-key-in-progress'] as const) : []),
      ]),
    },
  };
}

const RESULTS: Record<EventfulOperation, z.ZodType> = {
  onboardBank: OnboardBankResult,
  rotateBankCredentials: RotateBankCredentialsResult,
  revokeBankCredentials: RevokeBankCredentialsResult,
  offboardBank: OffboardBankResult,
  disableUsers: DisableUsersResult,
};

const OperationReference = z.object({
  operationId: z.string(),
  operation: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  bankGuid: z.string().optional(),
});

const event = (type: string, data: z.ZodType, description: string) => ({
  post: {
    summary: type,
    description: `${description}\n\nSigned as Standard Webhooks specify: verify \`webhook-signature\` (HMAC-SHA256 with the subscription's secret over \`<webhook-id>.<webhook-timestamp>.<body>\`); drop duplicates by \`webhook-id\`.`,
    parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
      name,
      in: 'header',
      required: true,
      schema: { type: 'string' },
    })),
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: jsonSchema(
            z.object({ id: z.string(), type: z.literal(type), timestamp: z.string(), data }),
            'output',
          ),
        },
      },
    },
    responses: {
      '2XX': { description: 'Received; any other answer is retried with backoff for up to 24 hours' },
    },
  },
});

function webhooks(): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const [operation, { completed, failed }] of Object.entries(OPERATION_EVENTS)) {
    const result = RESULTS[operation as EventfulOperation];
    entries.push([
      completed,
      event(completed, OperationReference.extend({ result }), `${operation} completed.`),
    ]);
    entries.push([
      failed,
      event(
        failed,
        OperationReference.extend({ failure: OperationFailureSummary }),
        `${operation} failed or was cancelled.`,
      ),
    ]);
  }
  entries.push([
    ROTATION_WAITING_EVENT,
    event(
      ROTATION_WAITING_EVENT,
      OperationReference.extend({
        previousClientId: z.string(),
        clientId: z.string(),
        secretRef: z.string(),
        gracePeriod: z.union([z.string(), z.number()]),
      }),
      'A rotation made its new credential current; the previous one is deleted after the grace period or a completion.',
    ),
  ]);
  entries.push([
    CREDENTIAL_EXPIRING_EVENT,
    event(
      CREDENTIAL_EXPIRING_EVENT,
      CredentialExpiringData,
      `A drift check found a bank's credential within its expiry window (the bank's \`beforeExpiry\`, else ${DEFAULT_EXPIRY_NOTICE}); sent by every check while it stays due, so it escalates as the expiry nears.`,
    ),
  ]);
  const taskEvents: Record<keyof typeof TASK_EVENTS, string> = {
    requested: 'An operation opened a task for a person (a write the worker may not make).',
    reminder: 'A task is still open after another reminder interval.',
    completed: 'A task was done: verified by reading the IdP, or confirmed by a person.',
    expired: 'A task passed its deadline undone; its operation fails with TaskExpired.',
  };
  for (const [key, type] of Object.entries(TASK_EVENTS))
    entries.push([
      type,
      event(
        type,
        OperationReference.extend({ task: PersonTask }),
        taskEvents[key as keyof typeof TASK_EVENTS],
      ),
    ]);
  return Object.fromEntries(entries);
}

export function openApiDocument(routes: ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'cybrid-provisioner',
      version,
      description:
        'Onboard banks on the Cybrid IdP, rotate and revoke their credentials, offboard them and disable users. Operations run as durable Temporal workflows: a start answers 202 at once; poll the operation or receive its webhook event. Nothing returned holds a secret: only secret-store references.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    webhooks: webhooks(),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (`provisioner api-key create`), or a JWT of the organization identity provider whose `scope` claim grants `provisioner:<permission>`.',
        },
      },
      schemas: { Problem: jsonSchema(ProblemDocument, 'output'), IpAllowlistEntry: ipAllowlistEntry() },
    },
  };
}
