/**
 * The drift report: what differs between a manifest and the IdP (with the secret store and the ledger), as
 * JSON, as the Web UI shows it, and as counts for metrics: its schemas. drift.ts builds it from a plan, so
 * `drift` and `plan` agree.
 */
import { z } from 'zod';
import { DriftFinding, UnmanagedUsers } from './plan.js';

/** What a scheduled check started for a bank: a rotation due by policy, or a reconcile of the manifest. */
export const DriftFollowUp = z.object({
  bankGuid: z.string().optional(),
  workflowType: z.enum(['rotateBankCredentials', 'applyManifest']),
  workflowId: z.string(),
  outcome: z.enum(['started', 'busy']),
});
export type DriftFollowUp = z.infer<typeof DriftFollowUp>;

export const DriftReport = z.object({
  manifest: z.string(),
  checkedAt: z.string(),
  /** Only the banks that drifted. */
  banks: z.array(
    z.object({ bankGuid: z.string(), findings: z.array(DriftFinding), problems: z.array(z.string()) }),
  ),
  organization: z.object({ unmanagedUsers: UnmanagedUsers }),
  summary: z.object({
    banksChecked: z.number(),
    banksDrifted: z.number(),
    findings: z.number(),
    /** Findings of each kind (every kind, zero included). */
    byKind: z.record(z.string(), z.number()),
  }),
  /** What a scheduled check started (rotations due by policy; a reconcile when the manifest asks for it). */
  followUps: z.array(DriftFollowUp),
});
export type DriftReport = z.infer<typeof DriftReport>;
