/**
 * The public contract of the workflows: input and result of each workflow type, as zod schemas (the single
 * source of the TypeScript types). Validated at the edge (CLI, typed client) and again by the worker when a
 * workflow starts (a local activity: workflow code imports only the types, and operations.ts).
 */
import { z } from 'zod';
import { Email, emailProblem, MAX_EMAIL_LENGTH } from './email.js';
import { ApplicationName, Guid, IpAllowlist } from './idp-schemas.js';
import { USER_SCOPES } from './idp-scopes.js';
import { DURATION_PATTERN } from './workflow-safe/durations.js';
import {
  TASK_KINDS,
  WRITE_MODES,
  type CompletedTask as CompletedTaskShape,
  type PersonTask as PersonTaskShape,
  type WriteDecision as WriteDecisionShape,
} from './workflow-safe/tasks.js';

export {
  bankWorkflowId,
  DEFAULT_GRACE_PERIOD,
  describeProgress,
  disableUsersWorkflowId,
} from './workflow-safe/operations.js';
export { durationMs } from './workflow-safe/durations.js';

/** More users than this in one onboarding is refused; larger banks are onboarded in several runs. */
export const MAX_USERS_PER_ONBOARDING = 10_000;

const uniqueBy = <T>(items: readonly T[], key: (item: T) => string) =>
  new Set(items.map(key)).size === items.length;

/** Durations as Temporal and `ms` write them: 90s, 15m, 24h, 90d, or milliseconds as a number. */
export const Duration = z.union([
  z.string().regex(DURATION_PATTERN, 'must be a duration such as 30s, 15m, 24h or 90d'),
  z.number().int().min(0),
]);
export type Duration = z.infer<typeof Duration>;

/** The settings of a bank's OAuth application; what is left out is taken from elsewhere (see each use). */
export const ApplicationSettings = z.object({
  name: ApplicationName.optional(),
  ipAllowlist: IpAllowlist.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type ApplicationSettings = z.infer<typeof ApplicationSettings>;

/**
 * The rules of email.ts as JSON Schema, for the OpenAPI document (zod cannot express a check function
 * there): the dot-atom shape as a pattern, at most 254 characters, and at most 64 before the @ (a second
 * pattern, as a regular expression cannot count across dots without lookahead, which generators refuse).
 * test/api/contract-json-schema.test.ts checks that both say the same of many addresses.
 */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOMAIN_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
export const EMAIL_PATTERN = `${ATEXT}+(?:\\.${ATEXT}+)*@(?:${DOMAIN_LABEL}\\.)+${DOMAIN_LABEL}`;
const LOCAL_PART_PATTERN = '[^@]{1,64}@';

/** An email address (see email.ts for the rules); exported for callers that check addresses themselves. */
export const EmailAddress = Email.meta({
  minLength: 1,
  maxLength: MAX_EMAIL_LENGTH,
  pattern: `^${EMAIL_PATTERN}$`,
  allOf: [{ pattern: `^${LOCAL_PART_PATTERN}` }],
});

/** A user named by email or by guid, as `disableUsers` takes them. */
export const UserRef = z
  .string()
  .superRefine((value, ctx) => {
    if (Guid.safeParse(value).success) return;
    // Something with an @ is meant as an email: say which rule it breaks.
    const problem = value.includes('@') ? emailProblem(value) : 'must be an email or a 32-hex user guid';
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description: 'An email address or a 32-hex user guid',
    minLength: 1,
    maxLength: MAX_EMAIL_LENGTH,
    pattern: `^(?:[0-9a-f]{32}|${EMAIL_PATTERN})$`,
    allOf: [{ pattern: `^(?:${LOCAL_PART_PATTERN}|[0-9a-f]{32}$)` }],
  });

export const UserSpec = z.object({
  email: EmailAddress,
  allowedScopes: z
    .array(z.enum(USER_SCOPES, { error: (issue) => `${String(issue.input)} is not a known user scope` }))
    .min(1, 'must contain at least one scope (omit it for the IdP default)')
    .refine((s) => new Set(s).size === s.length, 'must not contain duplicates')
    .meta({ uniqueItems: true })
    .optional(),
});
export type UserSpec = z.infer<typeof UserSpec>;

const TASK_DURATION_MESSAGE = 'must be at least 1m, in whole minutes, hours or days such as 30m, 24h or 7d';
/**
 * At least a minute, as PROVISIONER_TASK_DEADLINE and PROVISIONER_TASK_REMINDER are: whole minutes, hours or
 * days (at most six digits), or milliseconds as a number. A pattern and bounds rather than a check function,
 * so that the OpenAPI document states exactly the rule the API applies.
 */
const TaskDuration = z.union([
  z.string().regex(/^[1-9]\d{0,5}[mhd]$/, TASK_DURATION_MESSAGE),
  z
    .number()
    .int()
    .min(60_000, 'must be at least 1m')
    .max(999_999 * 86_400_000, 'must be at most 999999d'),
]);

/** An operation's own deadline and reminder interval for the tasks it opens for a person. */
export const TaskTiming = z.object({
  /** Default PROVISIONER_TASK_DEADLINE (7d). */
  deadline: TaskDuration.optional(),
  /** Default PROVISIONER_TASK_REMINDER (24h). */
  reminder: TaskDuration.optional(),
});
export type TaskTiming = z.infer<typeof TaskTiming>;

export const OnboardBankInput = z.object({
  bankGuid: Guid,
  application: ApplicationSettings.optional(),
  users: z
    .array(UserSpec)
    .max(MAX_USERS_PER_ONBOARDING, `must hold at most ${MAX_USERS_PER_ONBOARDING} users`)
    .refine((users) => uniqueBy(users, (u) => u.email.toLowerCase()), 'must not contain the same email twice')
    // What the OpenAPI document can say of that rule; it compares emails without case, the document cannot.
    .meta({ uniqueItems: true, description: 'Each email at most once (compared without case)' })
    .optional(),
  verifyCredentials: z.boolean().optional(),
  tasks: TaskTiming.optional(),
});
export type OnboardBankInput = z.infer<typeof OnboardBankInput>;

export const ApplicationRef = z.object({ clientId: z.string(), name: z.string(), secretRef: z.string() });
export type ApplicationRef = z.infer<typeof ApplicationRef>;

export const ProvisionedUser = z.object({
  email: z.string(),
  guid: z.string(),
  created: z.boolean(),
  /** Secret-store reference of the invite URL, when this run created the user and received one. */
  inviteRef: z.string().optional(),
});
export type ProvisionedUser = z.infer<typeof ProvisionedUser>;

export const WriteDecision = z.object({
  operation: z.string(),
  mode: z.enum(WRITE_MODES),
  writer: z.enum(['worker', 'person']),
  reason: z.string(),
}) satisfies z.ZodType<WriteDecisionShape>;

const TaskCompletion = z.object({
  by: z.string(),
  at: z.string(),
  /** verified: a read of the IdP showed it; confirmed: a person said so (no read can show it). */
  evidence: z.enum(['verified', 'confirmed']),
});

/** A write a person makes (model/workflow-safe/tasks.ts). */
export const PersonTask = z.object({
  taskId: z.string(),
  bankGuid: z.string(),
  workflowId: z.string(),
  kind: z.enum(TASK_KINDS),
  instructions: z.string(),
  values: z.union([
    z.object({
      bankGuid: z.string(),
      name: z.string(),
      ipAllowlist: z.array(z.string()),
      expiresAt: z.string(),
    }),
    // change-bank-api-key (after create-bank-api-key, which needs an expiresAt this has not).
    z.object({
      bankGuid: z.string(),
      clientId: z.string(),
      name: z.string(),
      ipAllowlist: z.array(z.string()),
    }),
    // delete-bank-api-key.
    z.object({ clientId: z.string(), guid: z.string(), name: z.string() }),
    // A union takes the first that parses, and later ones would drop fields: change-user-scopes before
    // disable-users (it would drop the scopes), both before invite-users (it would drop each guid).
    z.object({
      users: z.array(z.object({ email: z.string(), guid: z.string(), allowedScopes: z.array(z.string()) })),
    }),
    z.object({ users: z.array(z.object({ email: z.string(), guid: z.string() })) }),
    z.object({
      users: z.array(z.object({ email: z.string(), allowedScopes: z.array(z.string()).optional() })),
    }),
  ]),
  requestedAt: z.string(),
  deadline: z.string(),
  state: z.enum(['open', 'completed', 'expired', 'cancelled']),
  remindersSent: z.number().int().min(0),
  lastProblem: z.string().optional(),
  completion: TaskCompletion.optional(),
}) satisfies z.ZodType<PersonTaskShape>;
export type PersonTask = z.infer<typeof PersonTask>;

/** The open tasks, as `provisioner tasks --json` prints them and `GET /v1/tasks` answers. */
export const TaskList = z.object({ tasks: z.array(PersonTask) });
export type TaskList = z.infer<typeof TaskList>;

/** A task a person completed, as the operation's result records it. */
export const CompletedTask = TaskCompletion.extend({
  taskId: z.string(),
  kind: z.enum(TASK_KINDS),
}) satisfies z.ZodType<CompletedTaskShape>;

export const OnboardBankResult = z.object({
  bankGuid: z.string(),
  application: ApplicationRef,
  users: z.array(ProvisionedUser),
  verified: z.boolean(),
  /** The writes a person made (absent when the worker made every write). */
  tasks: z.array(CompletedTask).optional(),
});
export type OnboardBankResult = z.infer<typeof OnboardBankResult>;

export const RotateBankCredentialsInput = z.object({
  bankGuid: Guid,
  gracePeriod: Duration.optional(),
  verify: z.boolean().optional(),
  /**
   * The new application's settings. By default it keeps the current application's name and IP allowlist,
   * and, when the current credential expires, the same lifetime counted from the rotation.
   */
  application: ApplicationSettings.optional(),
  tasks: TaskTiming.optional(),
});
export type RotateBankCredentialsInput = z.infer<typeof RotateBankCredentialsInput>;

export const RotateBankCredentialsResult = z.object({
  bankGuid: z.string(),
  previousClientId: z.string(),
  clientId: z.string(),
  secretRef: z.string(),
  completedBy: z.enum(['grace-period', 'operator']),
  rotatedAt: z.string(),
  /** The writes a person made: the new key, the old key's deletion (absent when the worker made them). */
  tasks: z.array(CompletedTask).optional(),
});
export type RotateBankCredentialsResult = z.infer<typeof RotateBankCredentialsResult>;

// `\S` rather than a minimum length after trimming: the OpenAPI document can say it (a blank reason is refused).
const Reason = z.string().regex(/\S/, 'is required').trim().max(500);

export const RevokeBankCredentialsInput = z.object({
  bankGuid: Guid,
  clientIds: z.array(z.string().min(1).max(128)).min(1).optional(),
  reason: Reason,
  tasks: TaskTiming.optional(),
});
export type RevokeBankCredentialsInput = z.infer<typeof RevokeBankCredentialsInput>;

export const RevokeBankCredentialsResult = z.object({
  bankGuid: z.string(),
  /** The applications this run deleted. */
  revokedClientIds: z.array(z.string()),
  /** Client ids asked for that are not applications of the bank (already gone, or another bank's). */
  notFoundClientIds: z.array(z.string()),
  /** The delete-bank-api-key tasks a person completed, one per key (absent when the worker deleted them). */
  tasks: z.array(CompletedTask).optional(),
});
export type RevokeBankCredentialsResult = z.infer<typeof RevokeBankCredentialsResult>;

/**
 * A caller's id for one request, so that starting it again (after an answer that was lost) finds the
 * first start instead of doing it twice.
 */
export const RequestId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    'must be 1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  );

export const DisableUsersInput = z.object({
  users: z.array(UserRef).min(1, 'must name at least one user').max(MAX_USERS_PER_ONBOARDING),
  reason: Reason,
  /** Tags the workflow with the bank it concerns, when there is one. */
  bankGuid: Guid.optional(),
  tasks: TaskTiming.optional(),
});
export type DisableUsersInput = z.infer<typeof DisableUsersInput>;

export const DisableUsersResult = z.object({
  /** The users the IdP disabled (disabling one already disabled is done again, harmlessly). */
  disabled: z.array(z.object({ user: z.string(), guid: z.string() })),
  /** Users named by guid that the IdP does not have: nothing to disable. */
  notFound: z.array(z.string()),
  /**
   * The disable-users task a person completed (absent when the worker disabled them): its evidence is
   * `confirmed`, a person's word, since no read of the IdP shows a disabled user.
   */
  tasks: z.array(CompletedTask).optional(),
});
export type DisableUsersResult = z.infer<typeof DisableUsersResult>;

export const OffboardBankInput = z.object({ bankGuid: Guid, reason: Reason, tasks: TaskTiming.optional() });
export type OffboardBankInput = z.infer<typeof OffboardBankInput>;

export const OffboardBankResult = z.object({
  bankGuid: z.string(),
  /** The applications this run deleted. */
  revokedClientIds: z.array(z.string()),
  /** The users provisioned for the bank that the IdP disabled (or a person did, and confirmed it). */
  disabledUserGuids: z.array(z.string()),
  /**
   * The tasks a person completed: a delete-bank-api-key per key, the disable-users task (absent when the
   * worker made every write).
   */
  tasks: z.array(CompletedTask).optional(),
});
export type OffboardBankResult = z.infer<typeof OffboardBankResult>;

/** Something an operation could not do for good (e.g. a user the IdP refused), and why. */
export const OperationFailure = z.object({ subject: z.string(), type: z.string(), message: z.string() });
export type OperationFailure = z.infer<typeof OperationFailure>;

/** What the `status` query of every workflow answers. */
export const OperationStatus = z.object({
  operation: z.string(),
  bankGuid: z.string().optional(),
  step: z.string(),
  users: z.object({ done: z.number(), total: z.number() }).optional(),
  /** The first FAILURES_LISTED (100) of the operation's failures. */
  failures: z.array(OperationFailure),
  /** How many failures there are in all; absent in answers of workers from before it was added. */
  failureCount: z.number().int().min(0).optional(),
  application: z.object({ clientId: z.string(), name: z.string() }).optional(),
  /** Who makes each kind of write this operation needs (PROVISIONER_WRITE_MODE and the IdP's grant). */
  writes: z.array(WriteDecision).optional(),
  /** The tasks it opened for a person, open or not. */
  tasks: z.array(PersonTask).optional(),
});
export type OperationStatus = z.infer<typeof OperationStatus>;
