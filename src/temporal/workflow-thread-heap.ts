/**
 * The young generation of the threads that run workflows. V8 lets each isolate's young generation grow to
 * 3 × 16 MiB under load, and a worker holding hundreds of workflows in its cache spends that on garbage it
 * would collect anyway: capped at 3 × 4 MiB, a worker with 1,000 onboardings in flight stays about 25 MiB
 * smaller at the same throughput (`npm run bench -- --only memory,throughput`).
 *
 * V8 reads the flag when it creates an isolate, so it applies to the workflow threads the SDK starts after
 * this call, not to the main thread (for that one: NODE_OPTIONS, see the README's production section). An
 * operator's own --max-semi-space-size (NODE_OPTIONS or node's arguments) is left as it is.
 */
import { setFlagsFromString } from 'node:v8';

const WORKFLOW_THREAD_SEMI_SPACE_MB = 4;

export function boundWorkflowThreadYoungGeneration(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
    arg.includes('--max-semi-space-size'),
  );
  if (!given) setFlagsFromString(`--max-semi-space-size=${WORKFLOW_THREAD_SEMI_SPACE_MB}`);
}
