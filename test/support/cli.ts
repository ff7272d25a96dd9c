/** Runs the real `provisioner` command in a child process and collects what it printed. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const PROVISIONER_BIN = fileURLToPath(new URL('../../bin/provisioner.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Another copy of bin/provisioner.js, e.g. in a production install. */
  bin?: string;
  /** Written to the command's standard input, which is then closed (ignored when absent). */
  input?: string;
}

export function startCli(args: string[], options: CliOptions = {}) {
  const child: ChildProcess = spawn(process.execPath, [options.bin ?? PROVISIONER_BIN, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** A minimal environment: PATH and HOME only, plus what the test adds. */
export const cleanEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...extra,
});

/** Starts `provisioner api` on `port`; resolves once it serves, fails if it exits or is not up within a minute. */
export async function startApi(port: number, options: CliOptions = {}) {
  const api = startCli(['api', '--port', String(port)], options);
  for (const deadline = Date.now() + 60_000; !api.output().stderr.includes('HTTP API on'); await sleep(100)) {
    assert.equal(api.child.exitCode, null, api.output().stderr);
    assert.ok(Date.now() < deadline, 'the API did not start');
  }
  return api;
}
