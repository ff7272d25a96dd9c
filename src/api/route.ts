/**
 * One route of the API, declared once: the server registers it, checks its permission and validates its
 * parameters and body with its zod schemas, and the OpenAPI document describes it from the same declaration.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from './auth.js';
import type { ApiPermission } from './permissions.js';
import type { ProblemName } from './problems.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
  /** The operation to poll, for a start. */
  location?: string;
}

/** What the audit line says of an accepted request, beyond who sent it and which route. */
export interface AuditDetails {
  bankGuid?: string;
  workflowId?: string;
  runId?: string;
}

export interface RouteContext<P, B, Q = unknown> {
  params: P;
  body: B;
  query: Q;
  principal: Principal;
  request: FastifyRequest;
  /** For a start: the token naming this request (see apiRequestToken), and whether an earlier copy never answered. */
  start?: { token: string; takenOver: boolean };
}

export interface ApiRoute<P = unknown, B = unknown, Q = unknown> {
  method: 'GET' | 'POST';
  /** OpenAPI form: /v1/banks/{bankGuid}. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  permission: ApiPermission;
  params?: z.ZodType<P>;
  /** The query string's parameters, each optional. */
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The body may be left out, and is then read as `{}`; by default a route with a body requires one. */
  bodyOptional?: boolean;
  /** A start: requires an Idempotency-Key, and its answer is remembered under it. */
  idempotent?: boolean;
  success: { status: number; description: string; schema: z.ZodType; location?: boolean };
  /**
   * The problems this route answers besides those every route may (401, 403, 429, 500, ...) and those its
   * parameters, body and Idempotency-Key bring (the OpenAPI document adds them).
   */
  problems: ProblemName[];
  handle(context: RouteContext<P, B, Q>): Promise<ApiAnswer>;
}

/** Keeps a route's parameter and body types together while the table holds routes of every shape. */
export function defineRoute<P, B, Q = unknown>(route: ApiRoute<P, B, Q>): ApiRoute {
  return route;
}

/** The audit details of an answer: the bank and workflow it names. */
export function auditDetailsOf(answer: ApiAnswer, params: unknown): AuditDetails {
  const body = (answer.body ?? {}) as Record<string, unknown>;
  const pick = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    bankGuid: pick((params as Record<string, unknown> | undefined)?.bankGuid) ?? pick(body.bankGuid),
    workflowId: pick(body.workflowId) ?? pick((body.latest as Record<string, unknown> | null)?.workflowId),
    runId: pick(body.runId),
  };
}

export type { FastifyRequest };
