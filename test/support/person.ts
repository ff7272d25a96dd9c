/**
 * A person who does every task of one bank as it opens, through the sandbox's Partner Portal (its Portal
 * token), then tells the operation as a person would: a new key handed over (`credential submit`), a read
 * asked for (`tasks check`), or a confirmation (`tasks done`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkTasks, confirmTask, NoOpenTaskError, openTasks } from '../../src/client/tasks.js';
import type { PersonTask } from '../../src/model/contract.js';
import type {
  ChangeBankApiKeyValues,
  ChangeUserScopesValues,
  DeleteBankApiKeyValues,
  DisableUsersValues,
  InviteUsersValues,
} from '../../src/model/workflow-safe/tasks.js';
import type { TestWorld } from './env.js';
import { portal } from './portal.js';

/** How often the person looks at the task list. */
const LOOK_EVERY_MS = 200;

export interface Person {
  /** Every task the person did, in order, with what it was. */
  done: PersonTask[];
  /** `result`, or what went wrong while the person did a task (so a test never waits for a deadline). */
  meanwhile<T>(result: Promise<T>): Promise<T>;
  /** Stops looking; throws what went wrong while doing a task. */
  stop(): Promise<void>;
}

/** Starts doing the tasks of `bankGuid` as they open, credited to `by`. */
export function personDoingTasks(world: TestWorld, bankGuid: string, by: string): Person {
  const done: PersonTask[] = [];
  let running = true;
  const tell = async (ask: () => Promise<unknown>) => {
    try {
      await ask();
    } catch (err) {
      // The operation moved on meanwhile (the task closed, or it finished): nothing left to tell it.
      if (!(err instanceof NoOpenTaskError)) throw err;
    }
  };
  const loop = (async () => {
    const person = await portal(world);
    while (running) {
      for (const task of await openTasks(world.client, { bankGuid })) {
        if (done.some((d) => d.taskId === task.taskId)) continue;
        await doInPortal(person, task);
        done.push(task);
        if (task.kind === 'disable-users') await tell(() => confirmTask(world.client, task.taskId, by));
        else if (task.kind !== 'create-bank-api-key')
          await tell(() => checkTasks(world.client, bankGuid, by));
      }
      await sleep(LOOK_EVERY_MS);
    }
  })();

  async function doInPortal(person: Awaited<ReturnType<typeof portal>>, task: PersonTask): Promise<void> {
    switch (task.kind) {
      case 'create-bank-api-key':
        return tell(() => person.handOverKey(task, by));
      case 'invite-users':
        return person.invite((task.values as InviteUsersValues).users);
      case 'change-user-scopes':
        return person.changeScopes((task.values as ChangeUserScopesValues).users);
      case 'change-bank-api-key':
        return person.editKey(task.values as ChangeBankApiKeyValues);
      case 'delete-bank-api-key':
        return person.deleteKey(task.values as DeleteBankApiKeyValues);
      case 'disable-users':
        return person.disable((task.values as DisableUsersValues).users);
    }
  }

  return {
    done,
    meanwhile: (result) =>
      Promise.race([result, loop.then(() => Promise.reject(new Error('the person stopped doing tasks')))]),
    async stop() {
      running = false;
      await loop;
    },
  };
}
