/**
 * Tasks for people, from outside the worker: listing the open ones (visibility, through the `AwaitingPerson`
 * search attribute, then each operation's status query), asking an operation to read the IdP again now,
 * confirming what no read can show, and handing over a bank API key: its secret goes into the secret store
 * first, and the workflow receives only the version's id.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import pLimit from 'p-limit';
import type { PersonTask, TaskList } from '../model/contract.js';
import { bankWorkflowId } from '../model/workflow-safe/operations.js';
import { describeFailure } from '../model/workflow-safe/failure.js';
import {
  checkTasksUpdate,
  confirmTaskUpdate,
  statusQuery,
  submitCredentialUpdate,
  type CredentialSubmissionAnswer,
  type TasksCheckAnswer,
} from '../model/workflow-safe/messages.js';
import { workflowIdOfTask } from '../model/workflow-safe/tasks.js';
import { credentialSubmissionSecretName } from '../model/secret-names.js';
import type { SecretStore } from '../secrets/index.js';
import { STATUS_QUERY_TIMEOUT_MS, type ProvisionerClient } from './index.js';

/** Status queries in flight at once while listing tasks: many waiting operations list in a few seconds. */
const STATUS_QUERIES_AT_ONCE = 16;

/** Nothing waits for what was asked: no operation, no open task, or the task is not of that kind. */
export class NoOpenTaskError extends Error {
  override name = 'NoOpenTaskError';
}

/** An update's refusal (validator) or a missing workflow, as NoOpenTaskError; other errors unchanged. */
async function asking<T>(what: string, update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new NoOpenTaskError(`${what}: no operation is running, so nothing waits for a person`);
    if (err instanceof WorkflowUpdateFailedError)
      throw new NoOpenTaskError(`${what}: ${describeFailure(err)}`);
    // A finished workflow answers an update as not found, in the server's words.
    if (err instanceof Error && /workflow execution already completed/i.test(err.message))
      throw new NoOpenTaskError(`${what}: its operation has finished, so nothing waits for a person`);
    throw err;
  }
}

/**
 * The open tasks of every operation of this provisioner (its task queue: another deployment sharing the
 * namespace has its own) waiting for a person, or of one bank's.
 */
export async function openTasks(
  client: ProvisionerClient,
  options: { bankGuid?: string } = {},
): Promise<PersonTask[]> {
  const query =
    `AwaitingPerson = true AND ExecutionStatus = 'Running' AND TaskQueue = '${client.taskQueue.replaceAll("'", "\\'")}'` +
    (options.bankGuid ? ` AND BankGuid = '${options.bankGuid.replace(/[^0-9a-f]/g, '')}'` : '');
  const limit = pLimit(STATUS_QUERIES_AT_ONCE);
  const queries: Promise<PersonTask[]>[] = [];
  for await (const execution of client.client.workflow.list({ query })) {
    const handle = client.client.workflow.getHandle(execution.workflowId, execution.runId);
    queries.push(
      limit(async () => {
        try {
          const status = await client.client.connection.withDeadline(
            Date.now() + STATUS_QUERY_TIMEOUT_MS,
            () => handle.query(statusQuery),
          );
          return (status.tasks ?? []).filter((task) => task.state === 'open');
        } catch {
          // Finished since it was listed, or no worker answered in time: nothing to show for it now.
          return [];
        }
      }),
    );
  }
  const tasks = (await Promise.all(queries)).flat();
  return tasks.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

/** The open tasks as `provisioner tasks --json` prints them and `GET /v1/tasks` answers. */
export async function taskList(
  client: ProvisionerClient,
  options: { bankGuid?: string } = {},
): Promise<TaskList> {
  return { tasks: await openTasks(client, options) };
}

/** Asks the bank's operation to read the IdP for its open tasks now; answers once it has. */
export function checkTasks(
  client: ProvisionerClient,
  bankGuid: string,
  by: string,
): Promise<TasksCheckAnswer> {
  return asking(`bank ${bankGuid}`, () =>
    client.client.workflow
      .getHandle(bankWorkflowId(bankGuid))
      .executeUpdate(checkTasksUpdate, { args: [{ by }] }),
  );
}

/** Confirms a task no read can show done. */
export function confirmTask(client: ProvisionerClient, taskId: string, by: string) {
  const workflowId = workflowIdOfTask(taskId);
  if (!workflowId) throw new NoOpenTaskError(`${taskId} is not a task id (provisioner tasks lists them)`);
  return asking(`task ${taskId}`, () =>
    client.client.workflow.getHandle(workflowId).executeUpdate(confirmTaskUpdate, { args: [{ taskId, by }] }),
  );
}

export interface CredentialHandOver {
  clientId: string;
  clientSecret: string;
  by: string;
}

/**
 * Hands a bank API key a person created to the operation waiting for it: the secret is written to the
 * secret store (a new version of the bank's credential submission) and the workflow gets the version's id
 * in an update, which it checks against the IdP before it accepts. A refused or undeliverable submission's
 * version is revoked here too (the workflow revokes what it refuses; revoking is idempotent).
 */
export async function submitCredential(
  client: ProvisionerClient,
  secrets: SecretStore,
  bankGuid: string,
  handOver: CredentialHandOver,
): Promise<CredentialSubmissionAnswer> {
  const name = credentialSubmissionSecretName(bankGuid);
  const { version } = await secrets.put(
    name,
    JSON.stringify({ clientId: handOver.clientId, clientSecret: handOver.clientSecret }),
    { stage: 'pending' },
  );
  let answer: CredentialSubmissionAnswer | undefined;
  try {
    answer = await asking(`bank ${bankGuid}`, () =>
      client.client.workflow.getHandle(bankWorkflowId(bankGuid)).executeUpdate(submitCredentialUpdate, {
        args: [{ clientId: handOver.clientId, submissionVersion: version, by: handOver.by }],
        // Sent again (a lost answer), the same submission is one update.
        updateId: `credential-submission-${version}`,
      }),
    );
    return answer;
  } finally {
    if (!answer?.accepted) await secrets.revoke(name, version);
  }
}
