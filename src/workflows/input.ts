/** Validates a workflow's input at start: bad input fails the workflow before any IdP call. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeIssues } from '../model/contract.js';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Invalid input: ${describeIssues(parsed.error)}`, 'InvalidInput');
  }
  return parsed.data;
}
