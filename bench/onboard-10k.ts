/**
 * Benchmark: a real 10,000-user onboarding (no extrapolation) with 254-character emails, on a real
 * Temporal dev server and the IdP sandbox; then a re-run of the same onboarding against the same
 * organization, which must complete creating nothing. Reports wall time, history events and bytes, IdP
 * requests and writes of each run. Measures; asserts nothing.
 *   npx tsx bench/onboard-10k.ts [users=10000] [emailLength=254]
 */
import { emailOfLength } from '../test/support/emails.js';
import { randomGuid } from '../test/support/env.js';
import { historyText } from '../test/support/history.js';
import { sandboxStats } from '../test/support/idp.js';
import { withDevServer } from './support.js';

const users = Number(process.argv[2] ?? 10_000);
const emailLength = Number(process.argv[3] ?? 254);

const rows: Record<string, number | string>[] = [];
await withDevServer((inWorld) =>
  inWorld({}, async (world) => {
    const input = {
      bankGuid: randomGuid(),
      users: Array.from({ length: users }, (_, i) => ({ email: emailOfLength(emailLength, `user-${i}`) })),
    };
    for (const run of ['first run', 're-run']) {
      const before = await sandboxStats(world);
      const started = performance.now();
      const handle = await world.client.startOnboarding(input);
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const after = await sandboxStats(world);
      const { events, bytes } = await historyText(handle, world.deps.dataConverter);
      rows.push({
        run,
        users,
        emailLength,
        created: result.users.filter((u) => u.created).length,
        seconds: Number(seconds.toFixed(1)),
        events,
        historyBytes: bytes,
        resultJsonBytes: Buffer.byteLength(JSON.stringify(result)),
        idpRequests: after.requests - before.requests,
        idpWrites: after.writes - before.writes,
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
  }),
);
console.table(rows);
