/** Queries and updates of the workflows: shared with the client, so kept free of anything else. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OperationStatus } from '../contract.js';

/** Every workflow answers it: the step in progress, users done/total, failures. */
export const statusQuery = defineQuery<OperationStatus>('status');

/** The operator's go-ahead to finish a rotation before its grace period ends. */
export const completeRotationUpdate = defineUpdate<{ accepted: true }>('completeRotation');

/**
 * A person hands over the bank API key they created for a create-bank-api-key task: its client id and the
 * version of the secret store's credential submission (model/secret-names.ts) holding its secret. Never
 * the secret itself: update arguments are kept in history.
 */
export interface CredentialSubmission {
  clientId: string;
  submissionVersion: string;
  /** Who hands it over. */
  by: string;
}
export type CredentialSubmissionAnswer =
  | { accepted: true; taskId: string; clientId: string; secretRef: string }
  | { accepted: false; taskId: string; reason: string };
export const submitCredentialUpdate = defineUpdate<CredentialSubmissionAnswer, [CredentialSubmission]>(
  'submitCredential',
);

/** Read the IdP again now for the operation's open tasks; answers once that check is done. */
export interface TasksCheckAnswer {
  /** Tasks still open after the check. */
  open: { taskId: string; kind: string; lastProblem?: string }[];
  completed: string[];
}
export const checkTasksUpdate = defineUpdate<TasksCheckAnswer, [{ by: string }]>('checkTasks');

/** A person says a task no read can show done is done (CONFIRMED_KINDS). */
export const confirmTaskUpdate = defineUpdate<
  { taskId: string; evidence: 'confirmed' },
  [{ taskId: string; by: string }]
>('confirmTask');
