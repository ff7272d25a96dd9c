/**
 * The plain script a user would otherwise write: one organization token, then `POST /api/users` for every
 * user with `concurrency` requests in flight. Prints `{seconds, cpuMs}` on stdout.
 *   tsx bench/perf/plain-users.ts <idpUrl> <clientId> <clientSecret> <users> <concurrency> <emailPrefix> [keep]
 * Plain (the goals' measure): fetch, nothing stored. With `keep`, the same script doing the work the project
 * must do: the calls go through ky (fixed by the person we build for), and each invite URL is kept, because the
 * IdP returns it only once (design decision 3), in the project's local secret store, a durable write per user
 * like the worker's (here inline: each user waits for its write).
 */
import ky from 'ky';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { openLocalSecretStore } from '../../src/secrets/local.js';
import { inviteUrlSecretName } from '../../src/model/secret-names.js';

const [url, clientId, clientSecret, users, concurrency, prefix, mode] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string | undefined,
];
const keep = mode === 'keep';
const scratch = keep ? await mkdtemp(join(tmpdir(), 'plain-users-')) : undefined;
const store = scratch ? await openLocalSecretStore({ directory: join(scratch, 'secrets') }) : undefined;
const http = ky.create({ prefixUrl: url, timeout: 30_000, retry: 0 });

const started = performance.now();
const cpuBefore = process.cpuUsage();
const tokenResponse = await fetch(`${url}/oauth/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope: 'users:read users:write users:execute',
  }),
});
if (!tokenResponse.ok) throw new Error(`token: ${tokenResponse.status} ${await tokenResponse.text()}`);
const { access_token: token } = (await tokenResponse.json()) as { access_token: string };

async function createPlain(email: string): Promise<void> {
  const response = await fetch(`${url}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ email }),
  });
  if (response.status !== 201) throw new Error(`create user: ${response.status} ${await response.text()}`);
  await response.json();
}

async function createAndKeep(email: string): Promise<void> {
  const user = await http
    .post('api/users', { json: { email }, headers: { authorization: `Bearer ${token}` } })
    .json<{ guid: string; invite_url: string }>();
  await store!.put(inviteUrlSecretName(user.guid), JSON.stringify({ email, inviteUrl: user.invite_url }), {
    idempotencyKey: user.guid,
  });
}

const limit = pLimit(Number(concurrency));
await Promise.all(
  Array.from({ length: Number(users) }, (_, i) =>
    limit(() => (keep ? createAndKeep : createPlain)(`${prefix}${i}@bank.example.com`)),
  ),
);
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({ seconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 }),
);
if (scratch) await rm(scratch, { recursive: true, force: true });
