/** Validates a workflow's input at start: bad input fails the workflow before any IdP call. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { parseOrThrow } from '../model/validation.js';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  return parseOrThrow(schema, input, (problems) =>
    ApplicationFailure.nonRetryable(`Invalid input: ${problems}`, 'InvalidInput'),
  );
}
