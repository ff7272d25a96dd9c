/** The input schema of each workflow type, as the worker checks it when a workflow starts (activities/input.ts). */
import type { z } from 'zod';
import {
  DisableUsersInput,
  OffboardBankInput,
  OnboardBankInput,
  RevokeBankCredentialsInput,
  RotateBankCredentialsInput,
} from './contract.js';
import {
  ApplyManifestInput,
  DriftCheckInput,
  PlanManifestInput,
  ReconcileBankInput,
} from './desired-state.js';

export const WORKFLOW_INPUTS = {
  onboardBank: OnboardBankInput,
  rotateBankCredentials: RotateBankCredentialsInput,
  scheduledRotation: RotateBankCredentialsInput,
  revokeBankCredentials: RevokeBankCredentialsInput,
  disableUsers: DisableUsersInput,
  offboardBank: OffboardBankInput,
  planManifest: PlanManifestInput,
  applyManifest: ApplyManifestInput,
  reconcileBank: ReconcileBankInput,
  driftCheck: DriftCheckInput,
} as const;
export type WorkflowType = keyof typeof WORKFLOW_INPUTS;

/** A workflow's input as its contract reads it: with the contract's defaults filled in. */
export type WorkflowInput<K extends WorkflowType> = z.output<(typeof WORKFLOW_INPUTS)[K]>;
