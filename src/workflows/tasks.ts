/**
 * Tasks for a person: a write the worker may not make, opened by a workflow and waited for durably. While a
 * task is open the operation's status query lists it, the `AwaitingPerson` search attribute is true (one
 * saved Web UI query finds every such operation), and webhook receivers hear `task.requested`, a
 * `task.reminder` every reminder interval, then `task.completed` or `task.expired`. A task a read can verify
 * is checked by reading the IdP with a growing backoff (TASK_CHECK_BACKOFF) and at once on `checkTasks`; a
 * task no read can show is confirmed by a person (`confirmTask`); a bank API key is handed over through
 * `submitCredential` (onboard-bank.ts). Who completed a task, and when, goes into the operation's result and
 * the ledger (`provisioner status`). At its deadline the operation fails with TaskExpired naming what was
 * left undone; a cancelled operation closes its tasks.
 *
 * New kinds (deleting a key, changing scopes, disabling users) need only their values, their instructions
 * and, where a read shows them done, a check.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  checkTasksUpdate,
  confirmTaskUpdate,
  type TasksCheckAnswer,
} from '../model/workflow-safe/messages.js';
import { AwaitingPersonKey } from '../model/workflow-safe/search-attributes.js';
import {
  completerProblem,
  CONFIRMED_KINDS,
  TASK_CHECK_BACKOFF,
  TASK_EXPIRED,
  nextReminderAt,
  timeLeftIn,
  type CompletedTask,
  type PersonTask,
  type TaskCompletion,
  type TaskKind,
  type TaskValues,
  type WriteDecision,
} from '../model/workflow-safe/tasks.js';
import { operationIdOf, TASK_EVENTS, type TaskOperation } from '../model/workflow-safe/webhook-events.js';
import { durationMs } from '../model/workflow-safe/durations.js';
import type { IdpOperation } from '../idp/permissions.js';
import { activitySteps } from './activity-proxies.js';
import { emitEvent, operationReference } from './events.js';
import type { StatusTracker } from './status.js';

/** A duration as an operation's input gives it (e.g. `3d`, or milliseconds). */
type Duration = Parameters<typeof durationMs>[0];

export interface TaskTiming {
  deadlineMs: number;
  reminderMs: number;
  /**
   * The expiry of the key a rotation replaces: reminders come more often as it nears, and each says how
   * long is left (nextReminderAt).
   */
  keyExpiresAt?: string;
}

/** Who makes each of an operation's writes, and how long its tasks wait. */
export interface Writers {
  /** Per operation asked for, in order: whether a person makes it. */
  byPerson: boolean[];
  /** Per operation asked for, in order: who makes it, and why. */
  decisions: WriteDecision[];
  timing: TaskTiming;
}

/** The write decisions each operation's status shows so far. */
const decided = new WeakMap<StatusTracker, WriteDecision[]>();

/**
 * Asks the worker who makes `operations` (idp/permissions.ts decideWrite), shows it in the status, and
 * resolves the tasks' timing: the operation's own (`requested`) over the worker's defaults.
 */
export async function decideWriters(
  operations: IdpOperation[],
  requested: { deadline?: Duration; reminder?: Duration } | undefined,
  progress: StatusTracker,
): Promise<Writers> {
  const access = await activitySteps.writeAccess.executeWithOptions(
    { summary: 'Who makes the writes: the worker, or a person in the Partner Portal' },
    [{ operations }],
  );
  // Beside the decisions made before in this operation (offboarding decides its keys, then its users).
  const asked = new Set(operations as string[]);
  const shown = [
    ...(decided.get(progress) ?? []).filter((d) => !asked.has(d.operation)),
    ...access.decisions,
  ];
  decided.set(progress, shown);
  progress.update({ writes: shown });
  return {
    byPerson: access.decisions.map((d) => d.writer === 'person'),
    decisions: access.decisions,
    timing: {
      deadlineMs: requested?.deadline !== undefined ? durationMs(requested.deadline) : access.taskDeadlineMs,
      reminderMs: requested?.reminder !== undefined ? durationMs(requested.reminder) : access.taskReminderMs,
    },
  };
}

/** Marks runs that record each completed task in the ledger; runs begun before it replay without. */
const TASK_COMPLETIONS_PATCH = 'task-completions-in-ledger';

/** A check by reading the IdP: undefined when the task is done, else what the IdP shows instead. */
export type TaskCheck = () => Promise<string | undefined>;

/** Who a completion seen by a read is credited to when no `tasks check --by` asked for that read. */
const SEEN_BY_THE_WORKER = 'seen in the IdP by the worker';

export interface TaskBoard {
  /** Opens a task and tells everyone who looks. */
  /** `instructions` may name the task's own id (e.g. the `tasks done` to run). */
  open(
    kind: TaskKind,
    values: TaskValues,
    instructions: string | ((taskId: string) => string),
    timing: TaskTiming,
  ): Promise<PersonTask>;
  /**
   * Waits until `task` is completed (by `complete`, a confirmation, or `check` finding it done), reminding
   * on the way; throws TaskExpired at its deadline, and closes it when the operation is cancelled. Several
   * tasks may be waited for at once, each with its own reminders, deadline and checks.
   */
  waitFor(task: PersonTask, check?: TaskCheck): Promise<TaskCompletion>;
  /** Completes an open task (e.g. a submission the workflow accepted). */
  complete(task: PersonTask, completion: Omit<TaskCompletion, 'at'>): void;
  /** Records why the last attempt to complete `task` failed, for the person. */
  problem(task: PersonTask, problem: string): void;
  /** The open task of `kind`, if any. */
  openTask(kind: TaskKind): PersonTask | undefined;
  /** What the operation's result records: the tasks people completed. */
  completed(): CompletedTask[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createTaskBoard(
  operation: TaskOperation,
  bankGuid: string,
  progress: StatusTracker,
): TaskBoard {
  const tasks: PersonTask[] = [];
  /**
   * `checkTasks` calls so far, and who made the latest: each waiting task with a check reads the IdP once
   * for the calls it has not answered yet, crediting that caller with what it finds.
   */
  let checkCalls = 0;
  let checkBy = '';
  /** Per task being waited for with a check: the `checkTasks` calls it has answered. */
  const checksAnswered = new Map<string, number>();
  /** Per task opened and not yet waited for: the `checkTasks` calls made before it opened. */
  const callsBeforeOpening = new Map<string, number>();
  const timings = new Map<string, TaskTiming>();

  /** What the search attribute says; upserted only when it changes, so reminders add no command. */
  let awaiting = false;
  const show = () => {
    progress.update({ tasks: tasks.map((t) => ({ ...t })) });
    const open = tasks.some((t) => t.state === 'open');
    if (open !== awaiting) {
      awaiting = open;
      upsertSearchAttributes([{ key: AwaitingPersonKey, value: open }]);
    }
  };
  const event = (
    type: (typeof TASK_EVENTS)[keyof typeof TASK_EVENTS],
    task: PersonTask,
    more: Record<string, string> = {},
  ) => emitEvent(type, { ...operationReference(operation, bankGuid), task: { ...task }, ...more }, bankGuid);
  const find = (taskId: string) => tasks.find((t) => t.taskId === taskId);

  setHandler(
    checkTasksUpdate,
    async ({ by }): Promise<TasksCheckAnswer> => {
      const call = ++checkCalls;
      checkBy = by;
      // Every task a read can verify has read the IdP since (none: nothing to wait for). Not cancelled with
      // the operation: a cancelled rotation's rollback still waits for a person to delete its new key.
      await CancellationScope.nonCancellable(() =>
        condition(
          () =>
            // A task just opened answers once its operation waits for it (a read between would see nothing).
            [...callsBeforeOpening.keys()].every((taskId) => find(taskId)?.state !== 'open') &&
            [...checksAnswered.values()].every((answered) => answered >= call),
        ),
      );
      return {
        open: tasks
          .filter((t) => t.state === 'open')
          .map(({ taskId, kind, lastProblem }) => ({
            taskId,
            kind,
            ...(lastProblem ? { lastProblem } : {}),
          })),
        completed: tasks.filter((t) => t.state === 'completed').map((t) => t.taskId),
      };
    },
    {
      validator: ({ by }: { by: string }) => {
        if (!tasks.some((t) => t.state === 'open'))
          throw new Error(`the ${operation} of bank ${bankGuid} has no open task for a person`);
        const problem = completerProblem(by);
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    confirmTaskUpdate,
    ({ taskId, by }) => {
      complete(find(taskId)!, { by, evidence: 'confirmed' });
      return { taskId, evidence: 'confirmed' as const };
    },
    {
      validator: ({ taskId, by }: { taskId: string; by: string }) => {
        const task = find(taskId);
        if (!task) throw new Error(`the ${operation} of bank ${bankGuid} has no task ${taskId}`);
        if (task.state !== 'open') throw new Error(`task ${taskId} is ${task.state} already`);
        if (!CONFIRMED_KINDS.includes(task.kind))
          throw new Error(
            `a ${task.kind} task is checked by reading the IdP, not confirmed: run \`provisioner tasks check ${bankGuid}\` once it is done`,
          );
        const problem = completerProblem(by);
        if (problem) throw new Error(problem);
      },
    },
  );

  function complete(task: PersonTask, completion: Omit<TaskCompletion, 'at'>): void {
    if (task.state !== 'open') return;
    task.state = 'completed';
    task.completion = { ...completion, at: iso(Date.now()) };
    delete task.lastProblem;
    show();
  }

  async function open(
    kind: TaskKind,
    values: TaskValues,
    instructions: string | ((taskId: string) => string),
    timing: TaskTiming,
  ): Promise<PersonTask> {
    const { workflowId, firstExecutionRunId } = workflowInfo();
    const now = Date.now();
    const taskId = `${operationIdOf(workflowId, firstExecutionRunId)}~${tasks.length + 1}`;
    const task: PersonTask = {
      taskId,
      bankGuid,
      workflowId,
      kind,
      instructions: typeof instructions === 'string' ? instructions : instructions(taskId),
      values,
      requestedAt: iso(now),
      deadline: iso(now + timing.deadlineMs),
      state: 'open',
      remindersSent: 0,
    };
    tasks.push(task);
    timings.set(task.taskId, timing);
    callsBeforeOpening.set(task.taskId, checkCalls);
    progress.step(`waiting for a person: ${kind} (task ${task.taskId}, until ${task.deadline})`);
    show();
    await closingOnCancel(task, () => event(TASK_EVENTS.requested, task));
    return task;
  }

  /** Runs `step` of an open task; the operation cancelled on the way closes the task. */
  async function closingOnCancel<T>(task: PersonTask, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (isCancellation(err) && task.state === 'open') {
        task.state = 'cancelled';
        show();
      }
      throw err;
    }
  }

  async function waitFor(task: PersonTask, check?: TaskCheck): Promise<TaskCompletion> {
    const deadline = Date.parse(task.deadline);
    const { reminderMs, keyExpiresAt } = timings.get(task.taskId)!;
    let nextReminder = nextReminderAt(Date.parse(task.requestedAt), reminderMs, keyExpiresAt);
    let checkDelay: number = TASK_CHECK_BACKOFF.firstCheckMs;
    let nextCheck = Date.now() + checkDelay;
    // `checkTasks` calls made before the task opened are not its to answer; those since are.
    const callsBefore = callsBeforeOpening.get(task.taskId) ?? checkCalls;
    callsBeforeOpening.delete(task.taskId);
    if (check) checksAnswered.set(task.taskId, callsBefore);
    const checkAsked = () => check !== undefined && checkCalls > checksAnswered.get(task.taskId)!;
    try {
      await closingOnCancel(task, async () => {
        while (task.state === 'open') {
          const wakeAt = Math.min(deadline, nextReminder, check ? nextCheck : Infinity);
          await condition(() => task.state !== 'open' || checkAsked(), Math.max(wakeAt - Date.now(), 1));
          if (task.state !== 'open') break;
          const now = Date.now();
          if (check && (checkAsked() || now >= nextCheck)) {
            const asked = checkAsked() ? { call: checkCalls, by: checkBy } : undefined;
            const problem = await check();
            if (asked) checksAnswered.set(task.taskId, asked.call);
            if (problem === undefined) {
              complete(task, { by: asked?.by ?? SEEN_BY_THE_WORKER, evidence: 'verified' });
              break;
            }
            if (problem !== task.lastProblem) {
              task.lastProblem = problem;
              show();
            }
            checkDelay = Math.min(checkDelay * 2, TASK_CHECK_BACKOFF.maxCheckMs);
            nextCheck = Date.now() + checkDelay;
            continue;
          }
          if (now >= deadline) throw await expire(task);
          if (now >= nextReminder) {
            task.remindersSent++;
            nextReminder = nextReminderAt(nextReminder, reminderMs, keyExpiresAt);
            show();
            await event(
              TASK_EVENTS.reminder,
              task,
              keyExpiresAt
                ? { currentKeyExpiresAt: keyExpiresAt, currentKeyExpiresIn: timeLeftIn(keyExpiresAt, now) }
                : {},
            );
          }
        }
      });
    } finally {
      checksAnswered.delete(task.taskId);
    }
    await recordCompletion(task);
    await event(TASK_EVENTS.completed, task);
    return task.completion!;
  }

  /** Who completed `task`, and when, into the ledger (runs begun before it kept it in their result only). */
  async function recordCompletion({ taskId, workflowId, kind, completion }: PersonTask): Promise<void> {
    if (!patched(TASK_COMPLETIONS_PATCH)) return;
    await activitySteps.recordTaskCompletion.executeWithOptions(
      { summary: `Record who completed task ${taskId} (${kind})` },
      [{ taskId, bankGuid, workflowId, kind, ...completion! }],
    );
  }

  async function expire(task: PersonTask): Promise<ApplicationFailure> {
    task.state = 'expired';
    show();
    await event(TASK_EVENTS.expired, task);
    return ApplicationFailure.create({
      type: TASK_EXPIRED,
      nonRetryable: true,
      message: `Task ${task.taskId} (${task.kind}) was not done by its deadline ${task.deadline}: ${task.instructions}${task.lastProblem ? ` (last seen: ${task.lastProblem})` : ''}`,
      details: [{ taskId: task.taskId, kind: task.kind, values: task.values }],
    });
  }

  return {
    open,
    waitFor,
    complete,
    problem(task, problem) {
      task.lastProblem = problem;
      show();
    },
    openTask: (kind) => tasks.find((t) => t.kind === kind && t.state === 'open'),
    completed: () =>
      tasks
        .filter((t) => t.state === 'completed')
        .map(({ taskId, kind, completion }) => ({ taskId, kind, ...completion! })),
  };
}
