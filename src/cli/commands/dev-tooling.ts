/**
 * `dev` and `sandbox` run development tooling (src/dev: the sandbox, the Temporal dev server). It is loaded
 * only when one of them runs, so a production install (`npm ci --omit=dev`) runs every other command; there,
 * a command whose tooling is missing (`dev` needs @temporalio/testing) says so instead of failing with a
 * module error.
 */
import { CliError } from '../output.js';

export async function loadDevTooling<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new CliError(
      `this command needs the development dependencies (${(err as Error).message.split('\n')[0]}); install them with \`npm ci\` (without --omit=dev)`,
    );
  }
}
