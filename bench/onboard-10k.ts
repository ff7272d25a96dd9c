/**
 * Benchmark: a real 10,000-user onboarding (no extrapolation) with 254-character emails, on a real
 * Temporal dev server and the IdP sandbox; then a re-run of the same onboarding against the same
 * organization, which must complete creating nothing. Reports wall time, history events and bytes, IdP
 * requests and writes of each run, and the encoded (compressed, encrypted) size of input and result against
 * Temporal's 2 MiB payload limit. Local parts are `user-<n>` padded, or random letters and digits (harder
 * to compress) with `random`. Measures; asserts nothing.
 *   npx tsx bench/onboard-10k.ts [users=10000] [emailLength=254] [padded|random]
 */
import { randomInt } from 'node:crypto';
import { encodedSize } from '../src/client/payload-size.js';
import { emailOfLength } from '../test/support/emails.js';
import { randomGuid } from '../test/support/env.js';
import { historyText } from '../test/support/history.js';
import { sandboxStats } from '../test/support/idp.js';
import { withDevServer } from './support.js';

const users = Number(process.argv[2] ?? 10_000);
const emailLength = Number(process.argv[3] ?? 254);
const localParts = process.argv[4] ?? 'padded';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const localPart = (i: number) =>
  localParts === 'random'
    ? `${i}-${Array.from({ length: 56 }, () => ALNUM[randomInt(ALNUM.length)]).join('')}`
    : `user-${i}`;

const rows: Record<string, number | string>[] = [];
await withDevServer((inWorld) =>
  inWorld({}, async (world) => {
    const input = {
      bankGuid: randomGuid(),
      users: Array.from({ length: users }, (_, i) => ({ email: emailOfLength(emailLength, localPart(i)) })),
    };
    for (const run of ['first run', 're-run']) {
      const before = await sandboxStats(world);
      const started = performance.now();
      const handle = await world.client.startOnboarding(input);
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const after = await sandboxStats(world);
      const { events, bytes } = await historyText(handle, world.deps.dataConverter);
      const converter = world.client.client.options.loadedDataConverter;
      rows.push({
        run,
        users,
        emailLength,
        localParts,
        created: result.users.filter((u) => u.created).length,
        seconds: Number(seconds.toFixed(1)),
        events,
        historyBytes: bytes,
        resultJsonBytes: Buffer.byteLength(JSON.stringify(result)),
        inputEncodedBytes: await encodedSize(converter, input),
        resultEncodedBytes: await encodedSize(converter, result),
        idpRequests: after.requests - before.requests,
        idpWrites: after.writes - before.writes,
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
  }),
);
console.table(rows);
