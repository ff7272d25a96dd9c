/**
 * How every subcommand talks: `--json` prints one JSON document on stdout and nothing else there; a failure
 * is one line on stderr and a non-zero exit code. Progress goes to stderr, only on a terminal.
 */
export class CliError extends Error {
  override name = 'CliError';
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A progress line rewritten in place on a terminal; silent elsewhere. */
export function progressLine() {
  const tty = process.stderr.isTTY;
  let last = '';
  return {
    show(text: string) {
      if (!tty || text === last) return;
      last = text;
      process.stderr.write(`\r\x1b[2K${text}`);
    },
    done() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}

/** One line, no stack, no secret: the message of the error (first line only). */
export function failureLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `provisioner: ${`${message}${cause}`.split('\n')[0]}`;
}
