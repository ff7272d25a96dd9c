/**
 * The API's request and response bodies, derived from the workflow contract (src/model/contract.ts): the
 * bank comes from the path, the rest of each input is the contract's own schema. Bodies are strict: a
 * misspelt field is an error, not silently ignored.
 */
import { z } from 'zod';
import {
  DisableUsersInput,
  DisableUsersResult,
  OffboardBankInput,
  OffboardBankResult,
  OnboardBankInput,
  OnboardBankResult,
  OperationStatus,
  RevokeBankCredentialsInput,
  RevokeBankCredentialsResult,
  RotateBankCredentialsInput,
  RotateBankCredentialsResult,
} from '../model/contract.js';
import { Guid } from '../model/idp-schemas.js';
import { OperationFailureSummary } from '../model/webhook-event-schemas.js';
import type { TasksCheckAnswer } from '../model/workflow-safe/messages.js';
import { MAX_COMPLETER_LENGTH, TASK_KINDS } from '../model/workflow-safe/tasks.js';

export const BankPath = z.object({ bankGuid: Guid });
export const OperationPath = z.object({
  operationId: z
    .string()
    .regex(
      /^[A-Za-z0-9._:-]{1,150}~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'must be an operation id from a start',
    ),
});

/** `<operationId>~<n>`, as the task list names it. */
export const TaskPath = z.object({
  taskId: z
    .string()
    .regex(
      /^[A-Za-z0-9._:-]{1,150}~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}~[1-9][0-9]{0,5}$/,
      'must be a task id from the task list',
    ),
});
/** `GET /v1/tasks?bankGuid=`: an unknown parameter (a misspelt `bankGuid`) is an error, not every bank's. */
export const TasksQuery = z.object({ bankGuid: Guid.optional() }).strict();

/** Who did it (completerProblem's rule: not blank, at most 200 characters). */
const Completer = z
  .string()
  .max(MAX_COMPLETER_LENGTH, `must be at most ${MAX_COMPLETER_LENGTH} characters`)
  .regex(/\S/, 'must say who did it');

/** The body of a check or a confirmation: who asks (default: the caller, by its API key's name or JWT subject). */
export const TaskActionRequest = z
  .object({
    by: Completer.optional().describe("Who did it; the API key's name or the JWT's subject by default"),
  })
  .strict();

/**
 * A bank API key a person created, handed over. The secret goes to the secret store before anything else
 * sees it; no answer, problem or log line holds it.
 */
export const CredentialSubmissionRequest = z
  .object({
    clientId: z
      .string()
      .max(128, 'must be at most 128 characters')
      .regex(/^\S+$/, 'must be a client id (no spaces)'),
    clientSecret: z
      .string()
      .max(1024, 'must be at most 1024 characters')
      .regex(/\S/, 'must not be blank')
      .describe('Exactly as the Portal showed it; kept in the secret store only'),
    by: Completer.optional().describe(
      "Who hands it over; the API key's name or the JWT's subject by default",
    ),
  })
  .strict();

/** A key the operation accepted: its secret is the bank's credential now, at `secretRef`. */
export const CredentialAccepted = z.object({
  accepted: z.literal(true),
  taskId: z.string(),
  clientId: z.string(),
  secretRef: z.string(),
});

/** What a check found: the operation's tasks still open (with what the IdP shows instead), and those done. */
export const TasksCheckResult = z.object({
  open: z.array(
    z.object({ taskId: z.string(), kind: z.enum(TASK_KINDS), lastProblem: z.string().optional() }),
  ),
  completed: z.array(z.string()),
}) satisfies z.ZodType<TasksCheckAnswer>;

export const TaskConfirmation = z.object({ taskId: z.string(), evidence: z.literal('confirmed') });

export const OnboardingRequest = OnboardBankInput.omit({ bankGuid: true }).strict();
export const RotationRequest = RotateBankCredentialsInput.omit({ bankGuid: true }).strict();
export const RevocationRequest = RevokeBankCredentialsInput.omit({ bankGuid: true }).strict();
export const OffboardingRequest = OffboardBankInput.omit({ bankGuid: true }).strict();
export const UserDisablementRequest = DisableUsersInput.strict();

export const OPERATION_TYPES = [
  'onboardBank',
  'rotateBankCredentials',
  'revokeBankCredentials',
  'offboardBank',
  'disableUsers',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** The answer to a start (202), with `Location` pointing at the operation. */
export const OperationStarted = z.object({
  operationId: z.string(),
  operation: z.enum(OPERATION_TYPES),
  workflowId: z.string(),
  runId: z.string(),
  bankGuid: z.string().optional(),
});
export type OperationStarted = z.infer<typeof OperationStarted>;

export const OPERATION_STATES = [
  'running',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
  'continued_as_new',
  'unknown',
] as const;

/** One operation: its state, progress while it runs, then its result (secret references only) or failure. */
export const OperationView = z.object({
  operationId: z.string(),
  operation: z.enum(OPERATION_TYPES),
  workflowId: z.string(),
  runId: z.string(),
  bankGuid: z.string().optional(),
  state: z.enum(OPERATION_STATES),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  progress: OperationStatus.optional(),
  result: z
    .union([
      OnboardBankResult,
      RotateBankCredentialsResult,
      RevokeBankCredentialsResult,
      OffboardBankResult,
      DisableUsersResult,
    ])
    .optional(),
  failure: OperationFailureSummary.optional(),
});
export type OperationView = z.infer<typeof OperationView>;

export const BankStatus = z.object({
  bankGuid: z.string(),
  /** The bank's latest operation, running or finished; null before the first. */
  latest: OperationView.nullable(),
  schedule: z
    .object({ scheduleId: z.string(), paused: z.boolean(), nextRunAt: z.string().optional() })
    .nullable(),
  rotations: z.array(
    z.object({
      rotatedAt: z.string(),
      previousClientId: z.string(),
      clientId: z.string(),
      workflowId: z.string(),
    }),
  ),
  /** The tasks people completed for the bank's operations, oldest first (the ledger's record). */
  taskCompletions: z.array(
    z.object({
      taskId: z.string(),
      bankGuid: z.string(),
      workflowId: z.string(),
      kind: z.string(),
      by: z.string(),
      at: z.string(),
      evidence: z.enum(['verified', 'confirmed']),
    }),
  ),
});
export type BankStatus = z.infer<typeof BankStatus>;

export const RotationCompletion = z.object({ bankGuid: z.string(), accepted: z.literal(true) });
