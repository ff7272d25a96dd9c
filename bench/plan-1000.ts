/**
 * Benchmark: `plan` of a 1,000-bank manifest (3 to 5 users each) on a real Temporal dev server, worker and
 * IdP sandbox: the time, the IdP requests it makes (one list per bank, the organization's users walked once)
 * and the size of what it moves, first against an empty IdP, then (after applying the manifest) against an
 * IdP that matches it. Also the apply itself: its time and the apply workflow's history. Measures; asserts
 * nothing.
 *   npx tsx bench/plan-1000.ts [banks=1000] [extraOrganizationUsers=0] [applyConcurrency=20]
 */
import { DesiredStateClient, parseManifest, type PlanDocument } from '../src/client/desired-state.js';
import { encodedSize } from '../src/client/payload-size.js';
import { historyText } from '../test/support/history.js';
import { sandboxStats } from '../test/support/idp.js';
import { fleet, manifestOf } from '../test/support/manifests.js';
import { withDevServer } from './support.js';

const banks = Number(process.argv[2] ?? 1000);
const extraUsers = Number(process.argv[3] ?? 0);
const concurrency = Number(process.argv[4] ?? 20);

const rows: Record<string, number | string>[] = [];
await withDevServer(async (inWorld) => {
  await inWorld({}, async (world) => {
    if (extraUsers > 0)
      await fetch(`${world.sandbox.url}/__sandbox/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: extraUsers }),
      });
    const desired = new DesiredStateClient(world.client);
    const manifest = parseManifest(manifestOf(fleet(banks)));
    const converter = world.client.client.options.loadedDataConverter;
    const manifestBytes = await encodedSize(converter, { manifest, act: true });
    const users = manifest.banks.reduce((sum, bank) => sum + (bank.users?.length ?? 0), 0);

    const measure = async <T>(
      scenario: string,
      run: () => Promise<T>,
      extra: (result: T) => Promise<object> = () => Promise.resolve({}),
    ) => {
      const before = await sandboxStats(world);
      const started = performance.now();
      const result = await run();
      const after = await sandboxStats(world);
      rows.push({
        scenario,
        banks,
        users,
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        idpRequests: after.requests - before.requests,
        idpWrites: after.writes - before.writes,
        ...(await extra(result)),
      });
      console.log(JSON.stringify(rows.at(-1)));
      return result;
    };
    const planned = async (plan: PlanDocument) => ({
      actions: Object.values(plan.summary.actions).reduce((a, b) => a + b, 0),
      manifestKiB: Math.round(manifestBytes / 1024),
      planKiB: Math.round((await encodedSize(converter, plan)) / 1024),
    });

    const first = await measure('plan, empty IdP', () => desired.plan(manifest), planned);
    const handle = await desired.startApply(manifest, first, concurrency);
    await measure(
      `apply (${concurrency} banks at once)`,
      () => handle.result(),
      (result) => Promise.resolve({ applied: result.summary.applied, failed: result.summary.failed }),
    );
    const history = await historyText(handle, world.deps.dataConverter);
    rows.at(-1)!.applyHistoryEvents = history.events;
    rows.at(-1)!.applyHistoryKiB = Math.round(history.bytes / 1024);
    await measure('plan, IdP matches', () => desired.plan(manifest), planned);
  });
});
console.table(rows);
