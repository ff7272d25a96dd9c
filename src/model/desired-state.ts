/**
 * Inputs and results of the desired-state workflows: planManifest (read only), applyManifest (a reconcile
 * per bank, bounded), reconcileBank (one bank, under the bank's one workflow id) and driftCheck (what the
 * manifest's Schedule runs, and `provisioner drift`).
 */
import { z } from 'zod';
import { CompletedTask, RotateBankCredentialsResult } from './contract.js';
import { Guid } from './idp-schemas.js';
import { BankManifest, Manifest, ManifestName } from './manifest.js';
import { BankAction } from './plan.js';

/** Banks an apply reconciles at once, by default. */
export const DEFAULT_APPLY_CONCURRENCY = 10;

export const PlanManifestInput = z.object({ manifest: Manifest });
export type PlanManifestInput = z.input<typeof PlanManifestInput>;

export const ReconcileBankInput = z.object({
  manifest: ManifestName,
  bank: BankManifest,
  prune: z.boolean(),
});
export type ReconcileBankInput = z.input<typeof ReconcileBankInput>;

export const ReconcileBankResult = z.object({
  bankGuid: z.string(),
  /** What the reconcile did, planned from what it observed when it started. */
  actions: z.array(BankAction),
  rotation: RotateBankCredentialsResult.optional(),
  /** The tasks people completed for the actions a person makes (absent when the worker made every write). */
  tasks: z.array(CompletedTask).optional(),
});
export type ReconcileBankResult = z.infer<typeof ReconcileBankResult>;

export const ApplyManifestInput = z.object({
  manifest: Manifest,
  /** Only these banks of the manifest (those the plan changes); all of them when absent. */
  bankGuids: z.array(Guid).optional(),
  concurrency: z.number().int().min(1).max(100).default(DEFAULT_APPLY_CONCURRENCY),
});
export type ApplyManifestInput = z.input<typeof ApplyManifestInput>;

export const BankOutcome = z.object({
  bankGuid: z.string(),
  /** applied; busy: another operation on the bank was running; failed: see `error`. */
  outcome: z.enum(['applied', 'busy', 'failed']),
  actions: z.array(BankAction).optional(),
  /** The tasks people completed for the bank (absent when the worker made every write). */
  tasks: z.array(CompletedTask).optional(),
  error: z.string().optional(),
});
export type BankOutcome = z.infer<typeof BankOutcome>;

export const ApplyManifestResult = z.object({
  manifest: z.string(),
  banks: z.array(BankOutcome),
  summary: z.object({ applied: z.number(), busy: z.number(), failed: z.number() }),
});
export type ApplyManifestResult = z.infer<typeof ApplyManifestResult>;

export const DriftCheckInput = z.object({
  manifest: Manifest,
  /**
   * A scheduled check acts: it rotates credentials due by their bank's policy, and with `drift.reconcile`
   * starts an apply of the drifted banks. `provisioner drift` only reports.
   */
  act: z.boolean().default(false),
});
export type DriftCheckInput = z.input<typeof DriftCheckInput>;
