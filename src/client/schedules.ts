/**
 * Schedules as the clients keep them: read one that may not exist, put one (create or update), remove one;
 * and the digest that tells a changed request or manifest from the same one again.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { createHash } from 'node:crypto';

/** Identifies a document's content (a request, a manifest): the same JSON gives the same digest. */
export const digestOf = (document: unknown) =>
  createHash('sha256').update(JSON.stringify(document)).digest('hex');

/** The Schedule, or undefined when there is none. */
export async function describeSchedule(
  client: Client,
  scheduleId: string,
): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Creates the Schedule, or updates its spec, action and policies when it exists (its own memo is set at
 * creation only: Temporal cannot update it). Resolves to whether it was created.
 */
export async function putSchedule(client: Client, options: ScheduleOptions): Promise<{ created: boolean }> {
  try {
    await client.schedule.create(options);
    return { created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const { spec, action, policies } = options;
    await client.schedule
      .getHandle(options.scheduleId)
      .update((previous) => ({ ...previous, spec, action, policies }));
    return { created: false };
  }
}

/** Removes the Schedule; one already gone is fine. */
export async function deleteSchedule(client: Client, scheduleId: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}
