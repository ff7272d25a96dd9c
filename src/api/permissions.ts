/**
 * What an API caller may do. An API key lists its permissions (`provisioner api-key create --allow ...`); a
 * JWT grants them through its `scope` claim as `provisioner:<permission>`. Reading (bank status, one
 * operation, the open tasks) is a permission too, so a key can be limited to starting, or to watching.
 * `tasks` completes tasks for people (hands over a bank API key, asks for a check, confirms): a key for the
 * people or systems that do the Portal's writes, which need not start anything.
 */
import { z } from 'zod';

export const API_PERMISSIONS = [
  'onboard',
  'rotate',
  'revoke',
  'offboard',
  'disable-users',
  'read',
  'tasks',
] as const;
export type ApiPermission = (typeof API_PERMISSIONS)[number];

export const ApiPermission = z.enum(API_PERMISSIONS, {
  error: (issue) => `${String(issue.input)} is not a permission (${API_PERMISSIONS.join(', ')})`,
});

/** `onboard,rotate,...` as the CLI takes it. */
export const ApiPermissionList = z
  .string()
  .transform((value) => value.split(',').map((p) => p.trim()))
  .pipe(z.array(ApiPermission).min(1, 'must name at least one permission'))
  .transform((permissions) => [...new Set(permissions)]);

/** The prefix of this API's permissions among a JWT's scopes (other APIs of the organization have theirs). */
export const JWT_SCOPE_PREFIX = 'provisioner:';

/** The permissions a JWT's `scope` claim (space-separated, RFC 9068) grants. */
export function permissionsFromScope(scope: unknown): ApiPermission[] {
  if (typeof scope !== 'string') return [];
  return scope
    .split(' ')
    .filter((s) => s.startsWith(JWT_SCOPE_PREFIX))
    .map((s) => s.slice(JWT_SCOPE_PREFIX.length))
    .filter((p): p is ApiPermission => ApiPermission.safeParse(p).success);
}
