/**
 * The desired-state manifest: the banks an operator wants, each with its application settings, users and
 * rotation policy. Built from the contract's own schemas (Guid, UserSpec, IpAllowlist, Duration...), strict
 * about unknown keys, and checked as a whole so that a bad manifest is refused with every problem named by
 * its path, before anything else happens.
 *
 * What the manifest leaves out is not managed: an omitted `name`, `ipAllowlist`, `expiresAt` or
 * `allowedScopes` keeps whatever the IdP has (write `ipAllowlist: []` to clear an allowlist).
 */
import { z } from 'zod';
import { ApplicationSettings, Duration, durationMs, MAX_USERS_PER_ONBOARDING, UserSpec } from './contract.js';
import { Guid } from './idp-schemas.js';

/**
 * Banks per manifest. An apply records about 4.5 history events and 4 KiB of history per bank it
 * reconciles (bench/plan-1000.ts), so this keeps the apply workflow under Temporal's 10,240-event warning and
 * far below its 51,200 events and 50 MB; larger fleets are split over several manifests.
 */
export const MAX_MANIFEST_BANKS = 2_000;

export { applyWorkflowId, DEFAULT_EXPIRY_NOTICE, driftScheduleId } from './workflow-safe/operations.js';

/** Milliseconds of a valid duration; undefined for anything else (checks between fields see raw input). */
const msOf = (value: unknown) =>
  Duration.safeParse(value).success ? durationMs(value as Duration) : undefined;

const PositiveDuration = Duration.refine((d) => (msOf(d) ?? 1) > 0, 'must be longer than 0');

export const RotationPolicy = z
  .strictObject({
    /** Rotate on this period (a Temporal Schedule, as `schedule-rotation` creates). */
    every: PositiveDuration.optional(),
    /** Rotate a credential this long before it expires (checked by the drift schedule). */
    beforeExpiry: PositiveDuration.optional(),
    /** Grace period of the rotations the manifest starts (default 24h). */
    gracePeriod: Duration.optional(),
  })
  .refine(
    (r) => r.every !== undefined || r.beforeExpiry !== undefined,
    'must set every, beforeExpiry or both',
  );
export type RotationPolicy = z.infer<typeof RotationPolicy>;

export const BankManifest = z.strictObject({
  bankGuid: Guid,
  application: z.strictObject(ApplicationSettings.shape).optional(),
  users: z
    .array(z.strictObject(UserSpec.shape))
    .max(MAX_USERS_PER_ONBOARDING, `must hold at most ${MAX_USERS_PER_ONBOARDING} users`)
    .optional(),
  rotation: RotationPolicy.optional(),
});
export type BankManifest = z.infer<typeof BankManifest>;

export const DriftSchedule = z.strictObject({
  /** How often the drift schedule checks the manifest against the IdP. */
  every: PositiveDuration,
  /** Also apply what the check finds (default: only report, and rotate credentials due by policy). */
  reconcile: z.boolean().default(false),
});
export type DriftSchedule = z.infer<typeof DriftSchedule>;

/** Names the manifest's schedule and apply workflow, so one fleet can be split over several manifests. */
export const ManifestName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be 1 to 63 lowercase letters, digits or "-", starting with a letter or digit',
  );

const ManifestShape = z.strictObject({
  name: ManifestName.default('default'),
  banks: z
    .array(BankManifest)
    .min(1, 'must name at least one bank')
    .max(
      MAX_MANIFEST_BANKS,
      `must hold at most ${MAX_MANIFEST_BANKS} banks; split larger fleets over several manifests`,
    ),
  /** Disable the users the ledger records for a bank that its entry no longer names. */
  prune: z.boolean().default(false),
  /** Must be true with `prune: true`: pruning disables users, which the IdP cannot undo. */
  confirmPrune: z.boolean().optional(),
  drift: DriftSchedule.optional(),
});

type Issue = { path: (string | number)[]; message: string };

/** The fields of `value` when it is an object, else nothing: checks across fields also see malformed input. */
const fields = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Problems between fields: repeated banks and emails, prune without confirmation, schedules that cannot work. */
function crossFieldIssues(manifest: unknown): Issue[] {
  const issues: Issue[] = [];
  const root = fields(manifest);
  const banks = items(root.banks);

  const firstBank = new Map<string, number>();
  banks.forEach((bank, b) => {
    const { bankGuid, users } = fields(bank);
    if (typeof bankGuid === 'string') {
      const first = firstBank.get(bankGuid);
      if (first === undefined) firstBank.set(bankGuid, b);
      else issues.push({ path: ['banks', b, 'bankGuid'], message: `repeats banks.${first}.bankGuid` });
    }
    const firstUser = new Map<string, number>();
    items(users).forEach((user, u) => {
      const { email } = fields(user);
      if (typeof email !== 'string') return;
      const first = firstUser.get(email.toLowerCase());
      if (first === undefined) firstUser.set(email.toLowerCase(), u);
      else
        issues.push({
          path: ['banks', b, 'users', u, 'email'],
          message: `repeats users.${first}.email (emails are compared without case)`,
        });
    });
  });

  if (root.prune === true && root.confirmPrune !== true) {
    issues.push({
      path: ['confirmPrune'],
      message:
        'must be true when prune is true: pruning disables users the manifest no longer names, and the IdP cannot enable them again',
    });
  }

  const driftEvery = msOf(fields(root.drift).every);
  banks.forEach((bank, b) => {
    const rotation = fields(fields(bank).rotation);
    const beforeExpiry = msOf(rotation.beforeExpiry);
    if (beforeExpiry === undefined) return;
    if (root.drift === undefined) {
      issues.push({
        path: ['banks', b, 'rotation', 'beforeExpiry'],
        message: 'takes effect through the drift schedule: add drift.every (shorter than beforeExpiry)',
      });
    } else if (driftEvery !== undefined && driftEvery >= beforeExpiry) {
      issues.push({
        path: ['drift', 'every'],
        message: `must be shorter than banks.${b}.rotation.beforeExpiry, or a credential could expire between two checks`,
      });
    }
    const grace = msOf(rotation.gracePeriod);
    if (grace !== undefined && grace >= beforeExpiry) {
      issues.push({
        path: ['banks', b, 'rotation', 'gracePeriod'],
        message:
          'must be shorter than beforeExpiry, or the old credential would expire before consumers had to switch',
      });
    }
  });
  return issues;
}

export const Manifest = ManifestShape.superRefine(
  (manifest, ctx) => {
    for (const issue of crossFieldIssues(manifest)) ctx.addIssue({ code: 'custom', ...issue });
  },
  // Also when some fields are malformed: every problem is named at once.
  { when: () => true },
);
export type Manifest = z.infer<typeof Manifest>;
/** A manifest as written (defaults not applied yet). */
export type ManifestInput = z.input<typeof Manifest>;
