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

export const BankPath = z.object({ bankGuid: Guid });
export const OperationPath = z.object({
  operationId: z
    .string()
    .regex(
      /^[A-Za-z0-9._:-]{1,150}~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'must be an operation id from a start',
    ),
});

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
});
export type BankStatus = z.infer<typeof BankStatus>;

export const RotationCompletion = z.object({ bankGuid: z.string(), accepted: z.literal(true) });
