/**
 * Starting operations: each through the typed client's one start method for it, answering 202 with the
 * operation's id and `Location`. Every start needs an Idempotency-Key (see idempotency.ts).
 */
import { WorkflowNotFoundError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { z } from 'zod';
import type { ProvisionerClient, StartOptions } from '../../client/index.js';
import { bankWorkflowId } from '../../model/contract.js';
import { operationIdOf } from '../../model/workflow-safe/webhook-events.js';
import type { ApiPermission } from '../permissions.js';
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
  { workflowId, runId }: { workflowId: string; runId: string },
  bankGuid?: string,
): ApiAnswer {
  const operationId = operationIdOf(workflowId, runId);
  const body: OperationStarted = {
    operationId,
    operation,
    workflowId,
    runId,
    ...(bankGuid ? { bankGuid } : {}),
  };
  return { status: 202, body, location: operationLocation(operationId) };
}

const runOf = (handle: WorkflowHandleWithFirstExecutionRunId) => ({
  workflowId: handle.workflowId,
  runId: handle.firstExecutionRunId,
});

/** The memo key under which a per-bank operation started through the API names its request. */
const API_REQUEST_MEMO = 'apiRequest';

/** The bank's latest operation, if this request started it (the bank may have had none). */
async function startedBy(client: ProvisionerClient, bankGuid: string, token: string) {
  try {
    const latest = await client.client.workflow.getHandle(bankWorkflowId(bankGuid)).describe();
    return latest.memo?.[API_REQUEST_MEMO] === token
      ? { workflowId: latest.workflowId, runId: latest.runId }
      : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const accepted = {
  status: 202,
  description: 'Started: poll the operation at `Location`, or wait for its webhook event',
  schema: OperationStarted,
  location: true,
};

/** A start of a per-bank operation: `POST /v1/banks/{bankGuid}/<resource>`, the body the input without the bank. */
function bankStart<B extends object>(
  client: ProvisionerClient,
  route: {
    resource: string;
    operation: Exclude<OperationType, 'disableUsers'>;
    summary: string;
    description: string;
    permission: ApiPermission;
    body: z.ZodType<B>;
    start: (
      input: B & { bankGuid: string },
      options: StartOptions,
    ) => Promise<WorkflowHandleWithFirstExecutionRunId>;
  },
): ApiRoute {
  return defineRoute({
    method: 'POST',
    path: `/v1/banks/{bankGuid}/${route.resource}`,
    operationId: route.operation,
    summary: route.summary,
    description: route.description,
    permission: route.permission,
    params: BankPath,
    body: route.body,
    idempotent: true,
    success: accepted,
    problems: ['bank-busy'],
    // The workflow notes which request started it: a copy that takes over from one that never answered (its
    // replica died, maybe after starting) answers with that workflow, running or finished, instead of
    // starting another or reporting the bank busy with it.
    handle: async ({ params: { bankGuid }, body, start }) => {
      const { token, takenOver } = start!;
      const earlier = takenOver ? await startedBy(client, bankGuid, token) : undefined;
      if (earlier) return started(route.operation, earlier, bankGuid);
      const handle = await route.start({ ...body, bankGuid }, { memo: { [API_REQUEST_MEMO]: token } });
      return started(route.operation, runOf(handle), bankGuid);
    },
  });
}

export function startRoutes(client: ProvisionerClient): ApiRoute[] {
  return [
    bankStart(client, {
      resource: 'onboarding',
      operation: 'onboardBank',
      summary: 'Onboard a bank',
      description:
        'Creates (or finds) the bank OAuth application, stores its secret (the result holds only its reference), verifies it and provisions the users. Emits `bank.onboarded` or `bank.onboarding_failed`.',
      permission: 'onboard',
      body: OnboardingRequest,
      start: (input, options) => client.startOnboarding(input, options),
    }),
    bankStart(client, {
      resource: 'rotation',
      operation: 'rotateBankCredentials',
      summary: "Rotate a bank's credential",
      description:
        'New application and secret, verified, made current; the previous one is deleted after the grace period (default 24h) or a completion. Emits `bank.credentials_rotation_waiting`, then `bank.credentials_rotated` or `bank.credentials_rotation_failed`.',
      permission: 'rotate',
      body: RotationRequest,
      start: (input, options) => client.startRotation(input, options),
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
    bankStart(client, {
      resource: 'revocation',
      operation: 'revokeBankCredentials',
      summary: "Revoke a bank's credentials now",
      description:
        'Deletes the bank applications (all, or `clientIds`) with no grace period. Emits `bank.credentials_revoked` or `bank.credentials_revocation_failed`.',
      permission: 'revoke',
      body: RevocationRequest,
      start: (input, options) => client.startRevocation(input, options),
    }),
    bankStart(client, {
      resource: 'offboarding',
      operation: 'offboardBank',
      summary: 'Offboard a bank',
      description:
        'Revokes every application of the bank and disables the users provisioned for it. Emits `bank.offboarded` or `bank.offboarding_failed`.',
      permission: 'offboard',
      body: OffboardingRequest,
      start: (input, options) => client.startOffboarding(input, options),
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
      // The workflow's request id names the request, so even a start whose answer was never recorded (its
      // replica died) finds the same workflow when retried.
      handle: async ({ body, start }) =>
        started(
          'disableUsers',
          runOf(await client.startDisablingUsers(body, { requestId: `api-${start!.token}` })),
          body.bankGuid,
        ),
    }),
  ];
}
