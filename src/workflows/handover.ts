/**
 * Onboarding's writes when a person makes them (PROVISIONER_WRITE_MODE and the IdP's grant decide: see
 * idp/permissions.ts decideWrite): the bank API key a person creates in the Portal and hands over, and the
 * users a person invites there, checked by reading the IdP before they count; and the users a person
 * disables there, which no read can show (the User model has no state): the person confirms them.
 */
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BankCredential } from '../activities/applications.js';
import type { ApplicationSettings, ProvisionedUser, UserSpec } from '../model/contract.js';
import { requestedApplication } from '../model/workflow-safe/application-names.js';
import {
  submitCredentialUpdate,
  type CredentialSubmission,
  type CredentialSubmissionAnswer,
} from '../model/workflow-safe/messages.js';
import {
  completerProblem,
  type CreateBankApiKeyValues,
  type DisableUsersValues,
  type InviteUsersValues,
} from '../model/workflow-safe/tasks.js';
import { findInvitedUsers, steps } from './activity-proxies.js';
import type { StatusTracker } from './status.js';
import type { TaskBoard, TaskTiming } from './tasks.js';

/** How many users a problem line names before "and N more". */
const USERS_NAMED = 5;

export interface CredentialHandover {
  /** The bank's credential: the stored one when usable, else the key a person creates and hands over. */
  credential(settings: ApplicationSettings, timing: TaskTiming): Promise<BankCredential>;
  /** The key a person creates as `asked` and hands over, once accepted (a create-bank-api-key task). */
  handedOver(asked: CreateBankApiKeyValues, timing: TaskTiming): Promise<BankCredential>;
  /** The key accepted so far, if any (a rollback revokes it). */
  accepted(): BankCredential | undefined;
}

/**
 * Registers `submitCredential` (so a submission gets a clear answer whenever it comes) and returns what
 * opens the create-bank-api-key task. Submissions are checked one at a time; a refused one leaves the task
 * open and its secret version revoked; the key already accepted, submitted again, is accepted again. An
 * accepted key becomes the bank's current credential, or with `stage` `pending` (a rotation) its pending
 * one: the current credential keeps working until the rotation promotes the new one.
 */
export function credentialHandover(
  bankGuid: string,
  board: TaskBoard,
  progress: StatusTracker,
  stage: 'current' | 'pending' = 'current',
): CredentialHandover {
  let asked: CreateBankApiKeyValues | undefined;
  let accepted: BankCredential | undefined;
  /** The create-bank-api-key task, once opened. */
  let keyTaskId = '';
  let checking = false;

  setHandler(
    submitCredentialUpdate,
    async ({ clientId, submissionVersion, by }): Promise<CredentialSubmissionAnswer> => {
      await condition(() => !checking);
      checking = true;
      try {
        const task = board.openTask('create-bank-api-key');
        // The task closed while this submission waited its turn: another key was accepted, or it expired.
        if (!task && accepted?.clientId !== clientId)
          return {
            accepted: false,
            taskId: keyTaskId,
            reason: accepted
              ? `bank ${bankGuid} accepted API key ${accepted.clientId} already`
              : `bank ${bankGuid}'s create-bank-api-key task is closed`,
          };
        const outcome = await steps().acceptSubmittedCredential.executeWithOptions(
          { summary: `Check the API key ${clientId} a person handed over for bank ${bankGuid}` },
          [
            {
              bankGuid,
              clientId,
              submissionVersion,
              asked: asked!,
              ...(stage === 'pending' ? { stage } : {}),
            },
          ],
        );
        if (!outcome.accepted) {
          if (task) board.problem(task, outcome.reason);
          return { accepted: false, taskId: keyTaskId, reason: outcome.reason };
        }
        accepted ??= outcome.credential;
        if (task) board.complete(task, { by, evidence: 'verified' });
        return { accepted: true, taskId: keyTaskId, clientId, secretRef: outcome.credential.secretRef };
      } finally {
        checking = false;
      }
    },
    {
      validator: ({ clientId, submissionVersion, by }: CredentialSubmission) => {
        if (!clientId.trim() || !submissionVersion.trim())
          throw new Error('a submission names the client id and the secret-store version');
        const problem = completerProblem(by);
        if (problem) throw new Error(problem);
        if (accepted?.clientId === clientId) return;
        if (!board.openTask('create-bank-api-key'))
          throw new Error(
            accepted
              ? `bank ${bankGuid} accepted API key ${accepted.clientId} already`
              : `bank ${bankGuid} has no open create-bank-api-key task: its operation does not wait for a key`,
          );
      },
    },
  );

  async function handedOver(values: CreateBankApiKeyValues, timing: TaskTiming): Promise<BankCredential> {
    asked = values;
    const task = await board.open('create-bank-api-key', asked, keyInstructions(asked), timing);
    keyTaskId = task.taskId;
    await board.waitFor(task);
    return accepted!;
  }

  return {
    async credential(settings, timing) {
      progress.step('looking for the bank API key (a person creates it)');
      const preparation = await steps().prepareBankApiKeyTask.executeWithOptions(
        { summary: `Find the API key of bank ${bankGuid}, or say what a person is to create` },
        [requestedApplication(bankGuid, settings, workflowInfo().firstExecutionRunId)],
      );
      if (preparation.kind === 'use') return preparation.credential;
      return handedOver(preparation.values, timing);
    },
    handedOver,
    accepted: () => accepted,
  };
}

function keyInstructions({ bankGuid, name, ipAllowlist, expiresAt }: CreateBankApiKeyValues): string {
  return (
    `In the Cybrid Partner Portal (Developers), create an API key for bank ${bankGuid} named exactly "${name}", ` +
    `IP allowlist ${ipAllowlist.length ? ipAllowlist.join(', ') : 'empty (any address)'}, expiring ${expiresAt.slice(0, 10)} (${expiresAt}); ` +
    `then hand it over: provisioner credential submit ${bankGuid} --client-id <client id> (the secret on standard input or --secret-file)`
  );
}

/**
 * The users a person invites: those the IdP lists already count at once; the others are a task, checked by
 * reading the IdP. Each is reported `created: false` (the worker did not create it, and has no invite URL).
 */
export async function usersFromPerson(
  bankGuid: string,
  users: readonly UserSpec[],
  board: TaskBoard,
  progress: StatusTracker,
  timing: TaskTiming,
): Promise<ProvisionedUser[]> {
  const asked: InviteUsersValues['users'] = users.map(({ email, allowedScopes }) => ({
    email,
    ...(allowedScopes ? { allowedScopes: [...allowedScopes] } : {}),
  }));
  const found = new Map<string, ProvisionedUser>();
  let remaining = asked;
  const look = async (): Promise<string | undefined> => {
    const seen = await findInvitedUsers.executeWithOptions(
      { summary: `Look for ${remaining.length} users of bank ${bankGuid} a person invites` },
      [{ bankGuid, users: remaining }],
    );
    for (const user of seen.found) found.set(user.email.toLowerCase(), user);
    remaining = remaining.filter((u) => !found.has(u.email.toLowerCase()));
    progress.update({ users: { done: found.size, total: users.length } });
    if (seen.missing.length === 0) return undefined;
    const named = seen.missing.slice(0, USERS_NAMED).map((m) => `${m.email} (${m.problem})`);
    const more = seen.missing.length > USERS_NAMED ? `, and ${seen.missing.length - USERS_NAMED} more` : '';
    return `${seen.missing.length} of ${users.length} users not yet as asked: ${named.join(', ')}${more}`;
  };

  progress.step('looking for the users (a person invites them)');
  if ((await look()) !== undefined) {
    const task = await board.open(
      'invite-users',
      { users: remaining },
      inviteInstructions(remaining),
      timing,
    );
    await board.waitFor(task, look);
  }
  return users.map((u) => found.get(u.email.toLowerCase())!);
}

function inviteInstructions(users: InviteUsersValues['users']): string {
  const listed = users
    .slice(0, USERS_NAMED)
    .map((u) => `${u.email} (${u.allowedScopes?.join(' ') ?? "Scopes left empty: the IdP's defaults"})`)
    .join(', ');
  const more = users.length > USERS_NAMED ? ` and ${users.length - USERS_NAMED} more (see values.users)` : '';
  return `In the Cybrid Partner Portal (Teams), invite ${users.length} user${users.length === 1 ? '' : 's'} with exactly these scopes: ${listed}${more}. The worker notices by reading the IdP; \`provisioner tasks check\` makes it look at once.`;
}

/**
 * The users a person disables: one disable-users task, completed when the person confirms it
 * (`provisioner tasks done <taskId>`): evidence `confirmed`, since no read of the IdP can show a disabled user.
 */
export async function usersDisabledByPerson(
  users: DisableUsersValues['users'],
  board: TaskBoard,
  progress: StatusTracker,
  timing: TaskTiming,
): Promise<void> {
  progress.update({ users: { done: 0, total: users.length } });
  const task = await board.open(
    'disable-users',
    { users },
    (taskId) => disableInstructions(users, taskId),
    timing,
  );
  await board.waitFor(task);
  progress.update({ users: { done: users.length, total: users.length } });
}

function disableInstructions(users: DisableUsersValues['users'], taskId: string): string {
  const listed = users
    .slice(0, USERS_NAMED)
    .map((u) => `${u.email} (${u.guid})`)
    .join(', ');
  const more = users.length > USERS_NAMED ? ` and ${users.length - USERS_NAMED} more (see values.users)` : '';
  return `In the Cybrid Partner Portal (Teams), disable ${users.length} user${users.length === 1 ? '' : 's'}: ${listed}${more}. No read of the IdP shows a disabled user, so confirm it once done: provisioner tasks done ${taskId} --by <your name>.`;
}
