/** Shared by the secret store tests: a temp directory removed after the test, and fresh keys. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'provisioner-secrets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One `keyId:<base64>` entry of PROVISIONER_SECRET_KEYS. */
export function keyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
