/**
 * Tasks for people over HTTP, through the same client code as `provisioner tasks`, `tasks check`, `tasks
 * done` and `credential submit` (src/client/tasks.ts): the list of open tasks, a bank API key handed over
 * (its secret stored first; the workflow gets only the version's id), a check of the IdP now, and a
 * confirmation of what no read can show. Who did it is the request's `by`, else the caller.
 *
 * None takes an Idempotency-Key: each is safe to send again (the accepted key is accepted again, a check
 * reads again, a task confirmed twice is refused with `no-open-task`), and the submission's body, which
 * holds a secret, is never recorded, not even as a digest.
 */
import type { ProvisionerClient } from '../../client/index.js';
import { checkTasks, confirmTask, submitCredential, taskList } from '../../client/tasks.js';
import { TaskList } from '../../model/contract.js';
import { MAX_COMPLETER_LENGTH } from '../../model/workflow-safe/tasks.js';
import type { SecretStore } from '../../secrets/index.js';
import type { Principal } from '../auth.js';
import { Problem } from '../problems.js';
import { defineRoute, type ApiRoute } from '../route.js';
import {
  BankPath,
  CredentialAccepted,
  CredentialSubmissionRequest,
  TaskActionRequest,
  TaskConfirmation,
  TaskPath,
  TasksCheckResult,
  TasksQuery,
} from '../schemas.js';

/** Who did it when the request does not say: the caller, by its API key's name or JWT subject. */
const completer = (by: string | undefined, principal: Principal) =>
  by ?? (principal.name.trim() ? principal.name.slice(0, MAX_COMPLETER_LENGTH) : principal.id);

export function taskRoutes(client: ProvisionerClient, secrets: SecretStore): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/tasks',
      operationId: 'listTasks',
      summary: 'The writes waiting for a person',
      description:
        "Every open task of every operation on this provisioner's task queue waiting for a person (or of one bank's, with `bankGuid`), oldest first: what to do in the Partner Portal, in words (`instructions`) and as the values to type (`values`), with its deadline. The same document as `provisioner tasks --json`.",
      permission: 'read',
      query: TasksQuery,
      success: { status: 200, description: 'The open tasks', schema: TaskList },
      problems: [],
      handle: async ({ query }) => ({
        status: 200,
        body: await taskList(client, { bankGuid: query.bankGuid }),
      }),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/credential',
      operationId: 'submitCredential',
      summary: 'Hand over the bank API key a person created',
      description:
        "For the bank's open `create-bank-api-key` task: the secret is stored in the secret store, and the operation receives only its reference, reads the IdP (the key is this bank's, with the task's name, IP allowlist and expiry, unexpired) and checks that the secret mints a token. Accepted, the key is the bank's credential (`secretRef`) and the task is completed; refused, the answer says why (`credential-refused`), the task stays open and the refused secret is revoked. Sending the accepted key again gets the same answer. The same as `provisioner credential submit`.",
      permission: 'tasks',
      params: BankPath,
      body: CredentialSubmissionRequest,
      success: { status: 200, description: 'Accepted', schema: CredentialAccepted },
      problems: ['no-open-task', 'credential-refused'],
      handle: async ({ params: { bankGuid }, body, principal }) => {
        const answer = await submitCredential(client, secrets, bankGuid, {
          clientId: body.clientId,
          clientSecret: body.clientSecret,
          by: completer(body.by, principal),
        });
        if (!answer.accepted)
          throw new Problem('credential-refused', `API key ${body.clientId} refused: ${answer.reason}`, {
            taskId: answer.taskId,
          });
        return { status: 200, body: answer };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/banks/{bankGuid}/tasks/check',
      operationId: 'checkTasks',
      summary: "Check the bank's open tasks now",
      description:
        "The bank's operation reads the IdP for its open tasks at once (rather than at its next backoff) and answers once it has: the tasks still open, with what the IdP shows instead, and those completed (credited to `by`). The same as `provisioner tasks check`.",
      permission: 'tasks',
      params: BankPath,
      body: TaskActionRequest,
      bodyOptional: true,
      success: { status: 200, description: 'Checked', schema: TasksCheckResult },
      problems: ['no-open-task'],
      handle: async ({ params: { bankGuid }, body, principal }) => ({
        status: 200,
        body: await checkTasks(client, bankGuid, completer(body.by, principal)),
      }),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/tasks/{taskId}/done',
      operationId: 'confirmTask',
      summary: 'Confirm a task no read can show done',
      description:
        'For a task the IdP cannot show done (disabling users: a user has no state), a person says it is; the result records it as `confirmed` by `by`, never `verified`. A task a read verifies is refused (check it instead). The same as `provisioner tasks done`.',
      permission: 'tasks',
      params: TaskPath,
      body: TaskActionRequest,
      bodyOptional: true,
      success: { status: 200, description: 'Confirmed', schema: TaskConfirmation },
      problems: ['no-open-task'],
      handle: async ({ params: { taskId }, body, principal }) => ({
        status: 200,
        body: await confirmTask(client, taskId, completer(body.by, principal)),
      }),
    }),
  ];
}
