/**
 * What every benchmark does around its measurements: one real Temporal dev server for the whole run, and a
 * fresh world (IdP sandbox in memory, a worker on its own task queue) per scenario.
 */
import { startDevServer } from '../src/dev/temporal-dev-server.js';
import { ensureSearchAttributes } from '../src/temporal/register-search-attributes.js';
import { createTestWorld, type TestWorld, type TestWorldOptions } from '../test/support/env.js';

export async function withDevServer(run: (inWorld: WorldRunner) => Promise<void>): Promise<void> {
  const server = await startDevServer();
  process.env.TEMPORAL_ADDRESS = server.address;
  try {
    await run(async (options, measure) => {
      const world = await createTestWorld(options);
      try {
        await ensureSearchAttributes(world.connection, server.namespace);
        await world.startWorker();
        await measure(world);
      } finally {
        await world.close();
      }
    });
  } finally {
    await server.stop();
  }
}

export type WorldRunner = (
  options: TestWorldOptions,
  measure: (world: TestWorld) => Promise<void>,
) => Promise<void>;
