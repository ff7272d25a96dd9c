/**
 * Runs test files in the order given, `concurrency` at a time, with the spec reporter: `node --test` sorts its
 * files by name, and test/run.ts starts the longest first. Exits non-zero when a test fails.
 * Usage: node --import tsx test/run-files.ts <concurrency> <file>...
 */
import { pipeline } from 'node:stream/promises';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const [concurrency, ...files] = process.argv.slice(2);
const stream = run({ files, concurrency: Number(concurrency), timeout: 600_000 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
await pipeline(stream, new spec(), process.stdout);
