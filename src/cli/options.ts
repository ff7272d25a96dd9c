/** Option parsers shared by subcommands: a bad value is a one-line error naming the flag. */
import { CliError } from './output.js';

export function numberOption(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new CliError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

export const portOption = (name: string) => numberOption(name, 0, 65535);

/** A repeatable option's parser: every value given, in order. */
export const collect = (value: string, previous: string[]) => [...previous, value];
