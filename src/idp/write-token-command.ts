/**
 * The write token source: CYBRID_IDP_WRITE_TOKEN_COMMAND, a command run through the shell (as AWS
 * `credential_process` and kubectl exec plugins are) that prints `{"access_token", "expires_in"}` of a token
 * that may write. Its stdout is read only as that JSON and its stderr is discarded: neither is ever logged
 * or repeated in an error, since either may hold a token.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { writeTokenFailed, type IdpError } from './errors.js';
import type { AccessToken } from './token.js';

const WriteTokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

/** More output than any token answer needs: the command is stopped rather than read further. */
const MAX_OUTPUT_BYTES = 64 * 1024;

export interface WriteTokenCommandOptions {
  command: string;
  /** How long the command may run. */
  timeoutMs: number;
}

/**
 * Runs the command once and returns its token. The lifetime is counted from the start of the command, on our
 * clock, so the token is never thought fresher than it is.
 */
export async function runWriteTokenCommand({
  command,
  timeoutMs,
}: WriteTokenCommandOptions): Promise<AccessToken> {
  const startedAt = Date.now();
  const stdout = await run(command, timeoutMs);
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw writeTokenFailed('printed something other than JSON', false);
  }
  const answer = WriteTokenAnswer.safeParse(json);
  if (!answer.success) {
    // Names the fields only: a value may be the token itself.
    const fields = [...new Set(answer.error.issues.flatMap((issue) => issue.path.slice(0, 1).map(String)))];
    const what = fields.length > 0 ? `without a usable ${fields.join(' and ')}` : 'that is not an object';
    throw writeTokenFailed(`printed JSON ${what} (expected {"access_token", "expires_in"})`, false);
  }
  return {
    accessToken: answer.data.access_token,
    tokenType: 'Bearer',
    // The command does not say; the token is trusted to make the writes it is used for (the IdP judges).
    grantedScopes: [],
    expiresAt: new Date(startedAt + answer.data.expires_in * 1000),
  };
}

function run(command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that stopping it stops whatever the shell started too.
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const stop = (problem: IdpError) =>
      settle(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        reject(problem);
      });
    const timer = setTimeout(
      () => stop(writeTokenFailed(`did not finish within ${timeoutMs} ms`, true)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES)
        stop(writeTokenFailed(`printed more than ${MAX_OUTPUT_BYTES} bytes`, false));
      else chunks.push(chunk);
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      settle(() => reject(writeTokenFailed(`could not be started (${err.code ?? 'unknown error'})`, true))),
    );
    child.on('close', (code, signal) =>
      settle(() => {
        if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
        else
          reject(
            writeTokenFailed(code === null ? `was killed by ${signal}` : `exited with code ${code}`, true),
          );
      }),
    );
  });
}
