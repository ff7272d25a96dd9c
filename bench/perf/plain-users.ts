/**
 * The plain script a user would otherwise write: one organization token, then `POST /api/users` for every
 * user with `concurrency` requests in flight, nothing stored. Prints `{seconds, cpuMs}` on stdout.
 *   tsx bench/perf/plain-users.ts <idpUrl> <clientId> <clientSecret> <users> <concurrency> <emailPrefix>
 */
import pLimit from 'p-limit';

const [url, clientId, clientSecret, users, concurrency, prefix] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
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
const limit = pLimit(Number(concurrency));
await Promise.all(
  Array.from({ length: Number(users) }, (_, i) =>
    limit(async () => {
      const response = await fetch(`${url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ email: `${prefix}${i}@bank.example.com` }),
      });
      if (response.status !== 201)
        throw new Error(`create user: ${response.status} ${await response.text()}`);
      await response.json();
    }),
  ),
);
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({ seconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 }),
);
