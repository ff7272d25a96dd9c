/**
 * planManifest: what apply would do for every bank of a manifest, read from the IdP, the secret store and the
 * ledger by read-only activities (the worker holds the organization credentials; the CLI only talks to
 * Temporal). Banks are read in batches, each bank's applications listed by its bank_guid; the organization's
 * users are walked once. The plan itself is the pure `planBank` of every bank.
 */
import { patched } from '@temporalio/workflow';
import type { PlanManifestInput } from '../model/desired-state.js';
import type { Manifest } from '../model/manifest.js';
import type { ManifestPlan, ObservedBank } from '../model/plan.js';
import { planBank, userIndex, withWriters, writesOfAll } from '../model/workflow-safe/planner.js';
import { observeBanks, observeOrganizationUsers } from './activity-proxies.js';
import { forEachConcurrently } from './concurrency.js';
import { parsedInput } from './input.js';
import { trackStatus, type StatusTracker } from './status.js';
import { decideWriters } from './tasks.js';

/** Banks one activity reads, and how many such activities run at once. */
const BANKS_PER_READ = 100;
const READS_AT_ONCE = 4;

/** Observes every bank of the manifest and the organization's users, and plans each bank. */
export async function observeAndPlan(manifest: Manifest, progress: StatusTracker): Promise<ManifestPlan> {
  const guids = manifest.banks.map((bank) => bank.bankGuid);
  const chunks = Array.from({ length: Math.ceil(guids.length / BANKS_PER_READ) }, (_, i) =>
    guids.slice(i * BANKS_PER_READ, (i + 1) * BANKS_PER_READ),
  );
  const observed = new Map<string, ObservedBank>();
  progress.step(`reading ${guids.length} banks`);
  await forEachConcurrently(chunks, READS_AT_ONCE, async (chunk, i) => {
    const range = `${i * BANKS_PER_READ + 1}–${i * BANKS_PER_READ + chunk.length} of ${guids.length}`;
    const banks = await observeBanks.executeWithOptions({ summary: `Read banks ${range}` }, [
      { bankGuids: chunk },
    ]);
    for (const bank of banks) observed.set(bank.bankGuid, bank);
    progress.step(`reading banks: ${observed.size} of ${guids.length} read`);
  });

  progress.step("reading the organization's users");
  const emails = [
    ...new Set(manifest.banks.flatMap((b) => (b.users ?? []).map((u) => u.email.toLowerCase()))),
  ];
  const recorded = [...observed.values()].flatMap((bank) => bank.recordedUsers.map((u) => u.guid));
  const organization = await observeOrganizationUsers.executeWithOptions(
    { summary: `Read the organization's users (${emails.length} named by the manifest)` },
    [{ emails, guids: [...new Set(recorded)] }],
  );

  const nowMs = Date.now();
  const users = userIndex(organization.users);
  return {
    manifest: manifest.name,
    plannedAt: new Date(nowMs).toISOString(),
    banks: manifest.banks.map((bank) =>
      planBank(bank, observed.get(bank.bankGuid)!, users, { prune: manifest.prune, nowMs }),
    ),
    organization: { unmanagedUsers: organization.unmanaged },
  };
}

/**
 * Marks plans that say who makes each action (the worker, or a person in the Partner Portal). Plans begun
 * before it replay as they ran: they did not ask.
 */
const PLAN_WRITERS_PATCH = 'plan-says-who-writes';

export async function planManifest(rawInput: PlanManifestInput): Promise<ManifestPlan> {
  // Registered first: the status query answers while the input is checked.
  const progress = trackStatus('planManifest', undefined);
  const { manifest } = await parsedInput('planManifest', rawInput);
  const plan = await observeAndPlan(manifest, progress);
  const writes = writesOfAll(plan.banks.flatMap((bank) => bank.actions));
  if (writes.length > 0 && patched(PLAN_WRITERS_PATCH)) {
    const { decisions } = await decideWriters(writes, undefined, progress);
    for (const bank of plan.banks) bank.actions = withWriters(bank.actions, decisions);
  }
  const changed = plan.banks.filter((bank) => bank.actions.length > 0).length;
  progress.step(`done: ${changed} of ${plan.banks.length} banks to change`);
  return plan;
}
