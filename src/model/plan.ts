/**
 * What `plan` says apply would do, and what a drift report finds: the public shapes of both, as zod schemas
 * (the single source of their types), and the observations they are computed from.
 */
import { z } from 'zod';

const Email = z.string();
const Scopes = z.array(z.string());

/** A change of one value, as the plan shows it. */
const Change = <T extends z.ZodType>(value: T) => z.object({ from: value, to: value });

/**
 * Who makes an action's IdP writes: the worker, or a person in the Partner Portal (a task), as the worker
 * decides each write (idp/permissions.ts decideWrite). Plan and apply say it; absent where nobody was asked
 * (the drift report, a plan of a worker before it said) and on the schedule actions, which write to Temporal.
 */
const By = z.enum(['worker', 'person']).optional();
export type ActionWriter = NonNullable<z.infer<typeof By>>;

/** One thing apply does for a bank. */
export const BankAction = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('create-application'),
    by: By,
    name: z.string(),
    ipAllowlist: z.array(z.string()).optional(),
    expiresAt: z.string().optional(),
    /** A stored credential whose application still exists is made current again instead of creating one. */
    reuses: z.string().optional(),
  }),
  z.object({
    kind: z.literal('update-application'),
    by: By,
    clientId: z.string(),
    ipAllowlist: Change(z.array(z.string())).optional(),
    name: Change(z.string()).optional(),
  }),
  /** A new credential through the rotation workflow: the IdP cannot change an expiry in place. */
  z.object({
    kind: z.literal('rotate-credential'),
    by: By,
    clientId: z.string(),
    reason: z.enum(['expiry-changed', 'expiring']),
    expiresAt: z.string().optional(),
    currentExpiresAt: z.string().optional(),
  }),
  z.object({ kind: z.literal('create-user'), by: By, email: Email, allowedScopes: Scopes.optional() }),
  z.object({
    kind: z.literal('update-user-scopes'),
    by: By,
    email: Email,
    guid: z.string(),
    from: Scopes.nullable(),
    to: Scopes,
  }),
  /** A user the IdP has (created elsewhere) that the ledger does not yet record for the bank: no IdP write. */
  z.object({ kind: z.literal('record-user'), by: By, email: Email, guid: z.string() }),
  /** Only with `prune`: a user the ledger records for the bank that the manifest no longer names. */
  z.object({ kind: z.literal('disable-user'), by: By, email: Email, guid: z.string() }),
  z.object({
    kind: z.literal('schedule-rotation'),
    scheduleId: z.string(),
    change: z.enum(['create', 'update']),
    every: z.union([z.string(), z.number()]),
    gracePeriod: z.union([z.string(), z.number()]),
  }),
  z.object({ kind: z.literal('remove-rotation-schedule'), scheduleId: z.string() }),
]);
export type BankAction = z.infer<typeof BankAction>;
export type BankActionKind = BankAction['kind'];

/** What the manifest as a whole changes: its drift Schedule. */
export const ManifestAction = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('schedule-drift'),
    scheduleId: z.string(),
    change: z.enum(['create', 'update']),
    every: z.union([z.string(), z.number()]),
    reconcile: z.boolean(),
  }),
  z.object({ kind: z.literal('remove-drift-schedule'), scheduleId: z.string() }),
]);
export type ManifestAction = z.infer<typeof ManifestAction>;

/** One difference between the manifest and what exists. */
export const DriftFinding = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('application-missing'), deletedClientId: z.string().optional() }),
  z.object({
    kind: z.literal('application-changed'),
    clientId: z.string(),
    field: z.enum(['ipAllowlist', 'name']),
    expected: z.union([z.string(), z.array(z.string())]),
    actual: z.union([z.string(), z.array(z.string())]),
  }),
  z.object({
    kind: z.literal('expiry-changed'),
    clientId: z.string(),
    expected: z.string(),
    actual: z.string().optional(),
  }),
  z.object({ kind: z.literal('credential-expiring'), clientId: z.string(), expiresAt: z.string() }),
  /** An application of the bank that its secret store does not know: never deleted by apply. */
  z.object({
    kind: z.literal('unmanaged-application'),
    clientId: z.string(),
    name: z.string(),
    createdAt: z.string(),
  }),
  z.object({ kind: z.literal('user-missing'), email: Email }),
  z.object({
    kind: z.literal('user-scopes-changed'),
    email: Email,
    expected: Scopes,
    actual: Scopes.nullable(),
  }),
  z.object({ kind: z.literal('user-not-recorded'), email: Email }),
  z.object({ kind: z.literal('user-unnamed'), email: Email, guid: z.string() }),
  /** A user the manifest names whom the IdP has disabled: the IdP cannot enable a user again. */
  z.object({ kind: z.literal('user-disabled'), email: Email }),
]);
export type DriftFinding = z.infer<typeof DriftFinding>;
export type DriftKind = DriftFinding['kind'];

export const BankPlan = z.object({
  bankGuid: z.string(),
  actions: z.array(BankAction),
  findings: z.array(DriftFinding),
  /** What keeps apply from reconciling the bank (it is skipped, and named). */
  problems: z.array(z.string()),
});
export type BankPlan = z.infer<typeof BankPlan>;

/** Users of the organization that no bank of the manifest names and the ledger gives no bank. */
export const UnmanagedUsers = z.object({ count: z.number(), sample: z.array(Email) });
export type UnmanagedUsers = z.infer<typeof UnmanagedUsers>;

/** The worker's part of a plan: the IdP, the secret store and the ledger (schedules are the client's part). */
export const ManifestPlan = z.object({
  manifest: z.string(),
  plannedAt: z.string(),
  banks: z.array(BankPlan),
  organization: z.object({ unmanagedUsers: UnmanagedUsers }),
});
export type ManifestPlan = z.infer<typeof ManifestPlan>;

// ---- what the worker observes (read-only activities) --------------------------------------------------------

export interface ObservedApplication {
  clientId: string;
  name: string;
  ipAllowlist: string[];
  createdAt: string;
  /** Only IdPs newer than v0.129.899 say. */
  expiresAt?: string;
}

/** A readable stored version of the bank's credential (never its secret). */
export interface ObservedCredential {
  clientId: string;
  stage: 'pending' | 'current' | 'previous' | 'superseded';
  applicationName: string;
  createdAt: string;
  expiresAt?: string;
}

export interface ObservedUser {
  guid: string;
  email: string;
  allowedScopes: string[] | null;
  /** The IdP says it is disabled (only IdPs that tell: the sandbox's `disabled_at`). */
  disabled: boolean;
}

export interface ObservedBank {
  bankGuid: string;
  applications: ObservedApplication[];
  credentials: ObservedCredential[];
  /** The users the ledger records for the bank; `disabled` when a prune of this worker disabled them. */
  recordedUsers: { guid: string; email: string; disabled: boolean }[];
}
