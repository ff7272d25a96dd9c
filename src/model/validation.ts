/**
 * The one way a zod result becomes an error, wherever input is checked: workflow input, the typed client, IdP
 * requests and responses, configuration, the sandbox. Workflow-safe, so workflow code uses it too.
 */
import type { z } from 'zod';

/**
 * One line naming each problem as `path: message`; a problem of the value as a whole is named `whole`
 * (`input`, or e.g. `body` for an HTTP body). Messages come from the schemas and never quote the value.
 */
export function describeIssues(error: z.ZodError, whole = 'input'): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : whole}: ${issue.message}`)
    .join('; ');
}

/** `value` parsed by `schema`, or the error `toError` makes of the problems (see describeIssues). */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  toError: (problems: string) => Error,
  whole?: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw toError(describeIssues(parsed.error, whole));
  return parsed.data;
}
