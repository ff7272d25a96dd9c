/** The `provisioner` command. */
import { CommanderError } from 'commander';
import { failureLine } from './output.js';
import { buildProgram } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`${failureLine(err)}\n`);
  process.exit(1);
}
