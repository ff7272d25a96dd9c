/**
 * Every subcommand's --help names its usage, description, arguments and options. The texts are commander's
 * own, read in process; the real command prints them, checked once for the program and once for a subcommand.
 */
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../support/cli.js';

/** Every command of the real command tree, with the words that invoke it. */
function commandsOf(command: Command, path: string[] = []): [string[], Command][] {
  return command.commands.flatMap((sub) => {
    const subPath = [...path, sub.name()];
    return [[subPath, sub] as [string[], Command], ...commandsOf(sub, subPath)];
  });
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('provisioner --help', () => {
  const program = buildProgram();

  it('the command lists every subcommand', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const sub of program.commands) assert.match(run.stdout, new RegExp(`^  ${sub.name()}\\b`, 'm'));
  });

  it("the command prints a subcommand's help as commander builds it", async () => {
    const run = await runCli(['onboard', '--help']);
    assert.equal(run.code, 0, run.stderr);
    const onboard = program.commands.find((sub) => sub.name() === 'onboard')!;
    assert.equal(run.stdout, onboard.helpInformation());
  });

  for (const [path, command] of commandsOf(program)) {
    it(`${path.join(' ')} --help shows its usage, description, arguments and options`, () => {
      const help = oneLine(command.helpInformation());
      assert.ok(help.startsWith(`Usage: provisioner ${path.join(' ')} `), help);
      assert.ok(command.description(), `${path.join(' ')} has no description`);
      assert.ok(help.includes(oneLine(command.description())), `no description in: ${help}`);
      for (const argument of command.registeredArguments)
        assert.ok(help.includes(argument.name()), `argument ${argument.name()} missing from: ${help}`);
      for (const option of command.options) {
        assert.ok(help.includes(option.flags), `option ${option.flags} missing from: ${help}`);
        assert.ok(help.includes(oneLine(option.description)), `no description of ${option.flags}: ${help}`);
      }
    });
  }
});
