/**
 * Starting operations: each through the typed client's one start method for it, answering 202 with the
 * operation's id and `Location`. Every start needs an Idempotency-Key (see idempotency.ts).
 */
import { createHash } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { ProvisionerClient } from '../../client/index.js';
import { operationIdOf } from '../../model/webhook-events.js';
import { defineRoute, type ApiAnswer, type ApiRoute } from '../route.js';
import {
  BankPath,
  OffboardingRequest,
  OnboardingRequest,
  OperationStarted,
  RevocationRequest,
  RotationCompletion,
  RotationRequest,
  UserDisablementRequest,
  type OperationType,
} from '../schemas.js';

export const operationLocation = (operationId: string) => `/v1/operations/${operationId}`;

function started(
  operation: OperationType,
  handle: WorkflowHandleWithFirstExecutionRunId,
  bankGuid?: string,
): ApiAnswer {
  const operationId = operationIdOf(handle.workflowId, handle.firstExecutionRunId);
  const body: OperationStarted = {
    operationId,
    operation,
    workflowId: handle.workflowId,
    runId: handle.firstExecutionRunId,
    ...(bankGuid ? { bankGuid } : {}),
  };
  return { status: 202, body, location: operationLocation(operationId) };
}

const accepted = {
  status: 202,
  description: 'Started: poll the operation at `Location`, or wait for its webhook event',
  schema: OperationStarted,
  location: true,
};

export function startRoutes(client: ProvisionerClient): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/onboarding',
      operationId: 'onboardBank',
      summary: 'Onboard a bank',
      description:
        'Creates (or finds) the bank OAuth application, stores its secret (the result holds only its reference), verifies it and provisions the users. Emits `bank.onboarded` or `bank.onboarding_failed`.',
      permission: 'onboard',
      params: BankPath,
      body: OnboardingRequest,
      idempotent: true,
      success: accepted,
      problems: ['bank-busy'],
      handle: async ({ params, body }) =>
        started(
          'onboardBank',
          await client.startOnboarding({ ...body, bankGuid: params.bankGuid }),
          params.bankGuid,
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/rotation',
      operationId: 'rotateBankCredentials',
      summary: "Rotate a bank's credential",
      description:
        'New application and secret, verified, made current; the previous one is deleted after the grace period (default 24h) or a completion. Emits `bank.credentials_rotation_waiting`, then `bank.credentials_rotated` or `bank.credentials_rotation_failed`.',
      permission: 'rotate',
      params: BankPath,
      body: RotationRequest,
      idempotent: true,
      success: accepted,
      problems: ['bank-busy'],
      handle: async ({ params, body }) =>
        started(
          'rotateBankCredentials',
          await client.startRotation({ ...body, bankGuid: params.bankGuid }),
          params.bankGuid,
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/rotation/completion',
      operationId: 'completeRotation',
      summary: 'Complete a waiting rotation now',
      description: "Ends the running rotation's grace period: the previous credential is deleted now.",
      permission: 'rotate',
      params: BankPath,
      success: {
        status: 200,
        description: 'The rotation goes on to delete the previous credential',
        schema: RotationCompletion,
      },
      problems: ['not-found', 'rotation-not-waiting'],
      handle: async ({ params }) => {
        await client.completeRotation(params.bankGuid);
        return { status: 200, body: { bankGuid: params.bankGuid, accepted: true } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/revocation',
      operationId: 'revokeBankCredentials',
      summary: "Revoke a bank's credentials now",
      description:
        'Deletes the bank applications (all, or `clientIds`) with no grace period. Emits `bank.credentials_revoked` or `bank.credentials_revocation_failed`.',
      permission: 'revoke',
      params: BankPath,
      body: RevocationRequest,
      idempotent: true,
      success: accepted,
      problems: ['bank-busy'],
      handle: async ({ params, body }) =>
        started(
          'revokeBankCredentials',
          await client.startRevocation({ ...body, bankGuid: params.bankGuid }),
          params.bankGuid,
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/offboarding',
      operationId: 'offboardBank',
      summary: 'Offboard a bank',
      description:
        'Revokes every application of the bank and disables the users provisioned for it. Emits `bank.offboarded` or `bank.offboarding_failed`.',
      permission: 'offboard',
      params: BankPath,
      body: OffboardingRequest,
      idempotent: true,
      success: accepted,
      problems: ['bank-busy'],
      handle: async ({ params, body }) =>
        started(
          'offboardBank',
          await client.startOffboarding({ ...body, bankGuid: params.bankGuid }),
          params.bankGuid,
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/user-disablements',
      operationId: 'disableUsers',
      summary: 'Disable users',
      description:
        'Disables users named by email or guid (an unknown email fails the operation before anything is disabled). Emits `users.disabled` or `users.disabling_failed`.',
      permission: 'disable-users',
      body: UserDisablementRequest,
      idempotent: true,
      success: accepted,
      problems: [],
      handle: async ({ body, principal, request }) => {
        // The workflow's request id comes from the caller and its key, so even a start whose answer was never
        // recorded (a replica died) finds the same workflow when retried.
        const requestId = `api-${createHash('sha256')
          .update(`${principal.id}\n${String(request.headers['idempotency-key'])}`)
          .digest('hex')
          .slice(0, 40)}`;
        return started('disableUsers', await client.startDisablingUsers(body, { requestId }), body.bankGuid);
      },
    }),
  ];
}
