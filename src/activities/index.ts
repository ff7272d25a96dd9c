/** Every activity of the worker, bound to its dependencies. Workflows import only the type. */
import { applicationActivities } from './applications.js';
import { credentialActivities } from './credentials.js';
import type { ActivityDeps } from './deps.js';
import { desiredStateActivities } from './desired-state.js';
import { inputActivities } from './input.js';
import { peopleActivities } from './people.js';
import { userActivities } from './users.js';
import { webhookActivities } from './webhooks.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...inputActivities(),
    ...applicationActivities(deps),
    ...credentialActivities(deps),
    ...userActivities(deps),
    ...webhookActivities(deps),
    ...desiredStateActivities(deps),
    ...peopleActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
