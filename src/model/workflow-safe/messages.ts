/** Queries and updates of the workflows: shared with the client, so kept free of anything else. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OperationStatus } from '../contract.js';

/** Every workflow answers it: the step in progress, users done/total, failures. */
export const statusQuery = defineQuery<OperationStatus>('status');

/** The operator's go-ahead to finish a rotation before its grace period ends. */
export const completeRotationUpdate = defineUpdate<{ accepted: true }>('completeRotation');
