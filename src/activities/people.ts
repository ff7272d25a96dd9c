/**
 * Writes a person makes: who writes each kind of write (decided in idp/permissions.ts), and checking what a
 * person did by reading the IdP: a bank API key handed over (its secret through the secret store only),
 * users invited in the Portal.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { sameKeyExpiryDay } from '../idp/application-expiry.js';
import { isNotFound, IdpError, applicationFailureUnlessCancelled } from '../idp/errors.js';
import type { TaskCompletionRecord } from '../ledger/index.js';
import { decideWrite, type IdpOperation } from '../idp/permissions.js';
import {
  BANK_CREDENTIAL_FORMAT,
  BANK_CREDENTIAL_SCOPES,
  type BankCredentialDocument,
} from '../model/bank-credential.js';
import type { ProvisionedUser } from '../model/contract.js';
import type { Application } from '../model/idp-schemas.js';
import { bankCredentialSecretName, credentialSubmissionSecretName } from '../model/secret-names.js';
import type {
  CreateBankApiKeyValues,
  DeleteBankApiKeyValues,
  DisableUsersValues,
  InviteUsersValues,
  WriteDecision,
} from '../model/workflow-safe/tasks.js';
import { SecretNotFound, SecretRevoked } from '../secrets/index.js';
import type { BankCredential } from './applications.js';
import { readCredential, storedCredentials } from './credential-documents.js';
import type { ActivityDeps } from './deps.js';
import { emailKey } from './user-directory.js';

export interface WriteAccessAnswer {
  decisions: WriteDecision[];
  /** The worker's PROVISIONER_TASK_DEADLINE and PROVISIONER_TASK_REMINDER, in milliseconds. */
  taskDeadlineMs: number;
  taskReminderMs: number;
}

export type SubmissionOutcome =
  { accepted: true; credential: BankCredential } | { accepted: false; reason: string };

export interface InvitedUsersCheck {
  /** Listed with the asked scopes: invited by a person, so `created: false` and no invite reference. */
  found: ProvisionedUser[];
  /** Not (yet) as asked, each with what the IdP shows. */
  missing: { email: string; problem: string }[];
}

export interface UsersToDisable extends DisableUsersValues {
  /** Users named by guid that the IdP does not have. */
  notFound: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

/** The submitted document: what `provisioner credential submit` writes. */
interface Submission {
  clientId: string;
  clientSecret: string;
}

export function peopleActivities(deps: ActivityDeps) {
  const { idp, secrets, ledger, tokenUrl, writeMode } = deps;
  const signal = cancellationSignal;

  async function writeAccess(input: { operations: IdpOperation[] }): Promise<WriteAccessAnswer> {
    try {
      const decisions: WriteDecision[] = [];
      for (const operation of input.operations) {
        // assisted asks a person whatever the grant: no token is needed to know it.
        const access =
          writeMode === 'assisted' ? 'none' : await idp.writeAccess(operation, { signal: signal() });
        decisions.push(decideWrite(operation, writeMode, access));
      }
      return { decisions, taskDeadlineMs: deps.taskDeadlineMs, taskReminderMs: deps.taskReminderMs };
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** The bank's key `clientId` (its client id or guid), or why there is none. */
  async function bankKey(clientId: string, bankGuid: string): Promise<Application | string> {
    for await (const app of idp.listAllBankApplications({ bankGuid }, { signal: signal() }))
      if (app.client_id === clientId || app.guid === clientId) return app;
    try {
      await idp.getBankApplication(clientId, { signal: signal() });
      return `the IdP has an API key ${clientId}, but not among bank ${bankGuid}'s: create the key for this bank`;
    } catch (err) {
      if (isNotFound(err)) return `the IdP has no API key with client id ${clientId}`;
      throw err;
    }
  }

  /** Why `app` is not the key `asked` describes, or undefined when it is. */
  function keyProblem(app: Application, asked: CreateBankApiKeyValues): string | undefined {
    const key = `API key ${app.client_id}`;
    if (app.name !== asked.name)
      return `${key} is named "${app.name}"; the task asks for exactly "${asked.name}" (the name marks the key as this operation's)`;
    if (!sameSet(app.ip_allowlist, asked.ipAllowlist))
      return `${key} allows ${app.ip_allowlist.join(', ') || 'any address'}; the task asks for ${asked.ipAllowlist.join(', ') || 'any address (an empty allowlist)'}`;
    // Absent from IdPs before v0.129.1229, which keep no expiry.
    if (app.expires_at === undefined) return undefined;
    if (app.expires_at === null) return `${key} never expires; the task asks for ${asked.expiresAt}`;
    if (Date.parse(app.expires_at) <= Date.now()) return `${key} expired at ${app.expires_at}`;
    if (!sameKeyExpiryDay(app.expires_at, asked.expiresAt))
      return `${key} expires at ${app.expires_at}; the task asks for ${asked.expiresAt}`;
    return undefined;
  }

  /** Why `submission` does not mint a bank token, or undefined when it does. Transient failures throw. */
  async function mintProblem(submission: Submission): Promise<string | undefined> {
    try {
      const token = await idp.exchangeClientCredentials(
        {
          clientId: submission.clientId,
          clientSecret: submission.clientSecret,
          scopes: [...BANK_CREDENTIAL_SCOPES],
        },
        { signal: signal() },
      );
      const missing = BANK_CREDENTIAL_SCOPES.filter((s) => !token.grantedScopes.includes(s));
      return missing.length > 0 ? `the key was not granted ${missing.join(', ')}` : undefined;
    } catch (err) {
      // The IdP's words only (never the request: it holds the secret).
      if (err instanceof IdpError && !err.retryable)
        return `the secret does not mint a token (${err.message})`;
      throw err;
    }
  }

  async function readSubmission(bankGuid: string, version: string): Promise<Submission | string> {
    try {
      const { value } = await secrets.get(credentialSubmissionSecretName(bankGuid), { version });
      const parsed = JSON.parse(value) as Partial<Submission>;
      if (typeof parsed.clientId === 'string' && typeof parsed.clientSecret === 'string')
        return { clientId: parsed.clientId, clientSecret: parsed.clientSecret };
      return `submission version ${version} is not a {clientId, clientSecret} document`;
    } catch (err) {
      if (err instanceof SecretRevoked || err instanceof SecretNotFound)
        return `submission version ${version} is not readable in the secret store (already refused, or never written)`;
      if (err instanceof SyntaxError) return `submission version ${version} is not JSON`;
      throw err;
    }
  }

  /**
   * Checks a handed-over key against its task by reading the IdP, and that its secret mints a token; accepted,
   * its credential becomes the bank's current one (onboarding), or its pending one when `stage` is `pending`
   * (a rotation: the bank's current credential stays current until the rotation promotes the new one).
   * Either way the submitted version is revoked (accepted, the secret lives on in the credential only).
   * Idempotent: a retry, or the same key again, after acceptance finds the credential already stored.
   */
  async function acceptSubmittedCredential(input: {
    bankGuid: string;
    clientId: string;
    submissionVersion: string;
    asked: CreateBankApiKeyValues;
    stage?: 'current' | 'pending';
  }): Promise<SubmissionOutcome> {
    const { bankGuid, clientId, submissionVersion, asked } = input;
    const promote = input.stage !== 'pending';
    const credentialName = bankCredentialSecretName(bankGuid);
    const revokeSubmission = () =>
      secrets.revoke(credentialSubmissionSecretName(bankGuid), submissionVersion);
    const accepted = (version: string): SubmissionOutcome => ({
      accepted: true,
      credential: {
        clientId,
        name: asked.name,
        secretRef: secrets.ref(credentialName),
        secretVersion: version,
        created: false,
      },
    });
    const refuse = async (reason: string): Promise<SubmissionOutcome> => {
      await revokeSubmission();
      return { accepted: false, reason };
    };
    try {
      const already = (await storedCredentials(secrets, credentialName)).find(
        (c) => c.clientId === clientId && (c.stage === 'current' || (!promote && c.stage === 'pending')),
      );
      if (already) {
        await revokeSubmission();
        return accepted(already.version);
      }
      const submission = await readSubmission(bankGuid, submissionVersion);
      if (typeof submission === 'string') return await refuse(submission);
      if (submission.clientId !== clientId)
        return await refuse(
          `submission version ${submissionVersion} holds client id ${submission.clientId}, not ${clientId}`,
        );
      const app = await bankKey(clientId, bankGuid);
      if (typeof app === 'string') return await refuse(app);
      const mismatch = keyProblem(app, asked);
      // The key exists in the IdP but is not the one asked for: nothing else will remove it.
      if (mismatch)
        return await refuse(
          `${mismatch}; delete that key in the Partner Portal and create one as the task asks`,
        );
      const problem = await mintProblem(submission);
      if (problem) return await refuse(problem);

      const document: BankCredentialDocument = {
        format: BANK_CREDENTIAL_FORMAT,
        bankGuid,
        clientId,
        clientSecret: submission.clientSecret,
        tokenUrl,
        scopes: [...BANK_CREDENTIAL_SCOPES],
        applicationName: asked.name,
        createdAt: app.created_at,
        expiresAt: app.expires_at ?? asked.expiresAt,
      };
      const { version } = await secrets.put(credentialName, JSON.stringify(document), {
        stage: 'pending',
        idempotencyKey: clientId,
      });
      if (promote) await secrets.promote(credentialName, version);
      await revokeSubmission();
      return accepted(version);
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * Which of `users` the IdP lists with the asked scopes (one walk of the organization's user list: a page
   * per 100 users); those found are recorded for the bank in the ledger, as users the worker creates are.
   */
  async function findInvitedUsers(input: {
    bankGuid: string;
    users: InviteUsersValues['users'];
  }): Promise<InvitedUsersCheck> {
    try {
      const wanted = new Map(input.users.map((u) => [emailKey(u.email), u]));
      const listed = new Map<string, { guid: string; email: string; scopes: string[] | null | undefined }>();
      let seen = 0;
      for await (const user of idp.listAllUsers({}, { signal: signal() })) {
        if (++seen % 100 === 0) heartbeat();
        if (wanted.has(emailKey(user.email)))
          listed.set(emailKey(user.email), {
            guid: user.guid,
            email: user.email,
            scopes: user.allowed_scopes,
          });
      }
      const result: InvitedUsersCheck = { found: [], missing: [] };
      for (const [key, asked] of wanted) {
        const user = listed.get(key);
        if (!user) result.missing.push({ email: asked.email, problem: 'not listed by the IdP yet' });
        else if (asked.allowedScopes && !sameSet(user.scopes ?? [], asked.allowedScopes))
          result.missing.push({
            email: asked.email,
            problem: `listed with scopes ${(user.scopes ?? []).join(' ') || 'none'}; the task asks for ${asked.allowedScopes.join(' ')}`,
          });
        else result.found.push({ email: asked.email, guid: user.guid, created: false });
      }
      await ledger.recordUsers(
        input.bankGuid,
        result.found.map(({ email, guid }) => ({ email, guid })),
      );
      return result;
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /**
   * The users a person is to disable, each with its email (the Portal lists users by email): `users` as
   * disableUsers names them, `guids` what resolveUsers made of them. A user named by guid is read from the
   * IdP; one it does not have is not found (nothing to disable), as a disable would find it.
   */
  async function usersToDisable(input: { users: string[]; guids: string[] }): Promise<UsersToDisable> {
    try {
      const result: UsersToDisable = { users: [], notFound: [] };
      const seen = new Set<string>();
      for (const [i, named] of input.users.entries()) {
        const guid = input.guids[i]!;
        if (seen.has(guid)) continue;
        seen.add(guid);
        if (named.includes('@')) {
          result.users.push({ email: named, guid });
          continue;
        }
        try {
          const user = await idp.getUser(guid, { signal: signal() });
          result.users.push({ email: user.email, guid });
        } catch (err) {
          if (!isNotFound(err)) throw err;
          result.notFound.push(named);
        }
        heartbeat();
      }
      return result;
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  /** Records who completed a task for a person, and when, for `status` (idempotent per task). */
  async function recordTaskCompletion(completion: TaskCompletionRecord): Promise<void> {
    await ledger.recordTaskCompletion(completion);
  }

  /**
   * Whether a person deleted the bank's API key `key`: undefined when a read shows it, else what the IdP
   * shows instead. Gone means not listed for the bank and not found by its guid, and, where its secret is
   * still readable in the secret store, that secret no longer mints a token. A revoked stored version cannot
   * be read (revocation revokes it before the person deletes the key): then the key being gone is the
   * evidence.
   */
  async function checkBankApiKeyGone(input: {
    bankGuid: string;
    key: DeleteBankApiKeyValues;
  }): Promise<{ problem?: string }> {
    const { bankGuid, key } = input;
    const still = (where: string) => ({
      problem: `API key ${key.clientId} ("${key.name}") is ${where}: delete it in the Partner Portal`,
    });
    try {
      for await (const app of idp.listAllBankApplications({ bankGuid }, { signal: signal() }))
        if (app.client_id === key.clientId) return still(`still listed for bank ${bankGuid}`);
      try {
        await idp.getBankApplication(key.guid, { signal: signal() });
        return still('still found by its guid');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const name = bankCredentialSecretName(bankGuid);
      for (const stored of await storedCredentials(secrets, name)) {
        if (stored.clientId !== key.clientId) continue;
        let document;
        try {
          document = await readCredential(secrets, name, stored.version);
        } catch (err) {
          if (err instanceof SecretRevoked) continue; // revoked since the listing: nothing left to mint with
          throw err;
        }
        const problem = await mintProblem(document);
        if (problem === undefined)
          return { problem: `API key ${key.clientId} is not listed, yet its secret still mints a token` };
      }
      return {};
    } catch (err) {
      throw applicationFailureUnlessCancelled(err);
    }
  }

  return {
    writeAccess,
    acceptSubmittedCredential,
    findInvitedUsers,
    usersToDisable,
    checkBankApiKeyGone,
    recordTaskCompletion,
  };
}
