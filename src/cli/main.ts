/** The `provisioner` command. */
import { CommanderError } from 'commander';
import { failureLine } from './output.js';
import { buildProgram } from './program.js';

// A reader that stops early (`provisioner status ... | head`) is not a failure: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`${failureLine(err)}\n`);
  process.exit(1);
}
