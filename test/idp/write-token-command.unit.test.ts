/**
 * CYBRID_IDP_WRITE_TOKEN_COMMAND: real commands run through the shell. A command's answer is taken only as
 * the documented JSON; whatever else it prints, on stdout or stderr, never reaches an error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { IdpError } from '../../src/idp/errors.js';
import { runWriteTokenCommand } from '../../src/idp/write-token-command.js';

/** Printed by every failing command; no error may carry it. */
const LEAK = 'leaked-token-value-0123456789';

describe('write token command', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'write-token-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A node script as the command, so the test needs no shell tool beyond sh itself. */
  async function script(name: string, body: string): Promise<string> {
    const path = join(dir, `${name}.mjs`);
    await writeFile(path, body);
    return `"${process.execPath}" "${path}"`;
  }

  async function rejects(command: string, expected: { message: RegExp; retryable: boolean }) {
    await assert.rejects(runWriteTokenCommand({ command, timeoutMs: 5_000 }), (err) => {
      assert.ok(err instanceof IdpError, inspect(err));
      assert.equal(err.type, 'IdpWriteTokenFailed');
      assert.equal(err.retryable, expected.retryable);
      assert.match(err.message, expected.message);
      assert.match(err.message, /its output is not shown/);
      assert.equal(inspect(err, { depth: 5 }).includes(LEAK), false, 'the error carries the output');
      return true;
    });
  }

  it('returns the token it prints, valid for expires_in from the moment it ran', async () => {
    const command = await script(
      'good',
      `process.stderr.write('signing in...\\n');
       console.log(JSON.stringify({ access_token: 'write.token', expires_in: 600, token_type: 'Bearer' }));`,
    );
    const before = Date.now();
    const token = await runWriteTokenCommand({ command, timeoutMs: 5_000 });
    assert.equal(token.accessToken, 'write.token');
    assert.equal(token.tokenType, 'Bearer');
    assert.ok(
      token.expiresAt.getTime() >= before + 600_000 && token.expiresAt.getTime() <= Date.now() + 600_000,
    );
  });

  it('passes the environment to the command, as credential_process does', async () => {
    const command = `printf '{"access_token":"%s","expires_in":60}' "$WRITE_TOKEN_TEST_VALUE"`;
    process.env.WRITE_TOKEN_TEST_VALUE = 'from.environment';
    try {
      assert.equal(
        (await runWriteTokenCommand({ command, timeoutMs: 5_000 })).accessToken,
        'from.environment',
      );
    } finally {
      delete process.env.WRITE_TOKEN_TEST_VALUE;
    }
  });

  it('fails retryably on a non-zero exit, without its output', async () => {
    const command = await script(
      'exit',
      `console.log('${LEAK}'); console.error('${LEAK}'); process.exit(3);`,
    );
    await rejects(command, { message: /exited with code 3/, retryable: true });
  });

  it('fails retryably when the command is not found', async () => {
    await rejects(join(dir, 'no-such-command'), { message: /exited with code 127/, retryable: true });
  });

  it('fails for good on output that is not JSON, without repeating it', async () => {
    const command = await script('not-json', `console.log('token=${LEAK}');`);
    await rejects(command, { message: /printed something other than JSON/, retryable: false });
  });

  it('fails for good on JSON without a usable access_token or expires_in, naming only the fields', async () => {
    const noExpiry = await script('no-expiry', `console.log(JSON.stringify({ access_token: '${LEAK}' }));`);
    await rejects(noExpiry, { message: /without a usable expires_in \(expected/, retryable: false });
    const badBoth = await script(
      'bad-both',
      `console.log(JSON.stringify({ access_token: '', expires_in: '${LEAK}' }));`,
    );
    await rejects(badBoth, { message: /without a usable access_token and expires_in/, retryable: false });
    const list = await script('list', `console.log(JSON.stringify(['${LEAK}']));`);
    await rejects(list, { message: /printed JSON that is not an object/, retryable: false });
  });

  it('stops a command that runs too long, or prints too much', async () => {
    const slow = await script('slow', `console.log('${LEAK}'); setTimeout(() => {}, 60_000);`);
    await assert.rejects(runWriteTokenCommand({ command: slow, timeoutMs: 300 }), (err) => {
      assert.ok(err instanceof IdpError);
      assert.match(err.message, /did not finish within 300 ms/);
      assert.equal(err.retryable, true);
      return true;
    });
    const chatty = await script('chatty', `process.stdout.write('${LEAK}'.repeat(10_000));`);
    await rejects(chatty, { message: /printed more than 65536 bytes/, retryable: false });
  });
});
