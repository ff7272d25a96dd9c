/** The pure decision of which application an operation uses and which it deletes: every branch. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  settleOnboarding,
  settleRotation,
  type ApplicationsSeen,
  type StoredCredential,
} from '../../src/activities/application-settlement.js';
import type { Application } from '../../src/model/idp-schemas.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const GRACE = 30_000;
const OWN = 'bank-x [op 0123456789ab]';

/** An application created `ageS` seconds before NOW. */
const app = (clientId: string, name: string, ageS: number): Application => ({
  client_id: clientId,
  name,
  scopes: [],
  ip_allowlist: [],
  created_at: new Date(NOW - ageS * 1000).toISOString(),
});
const stored = (clientId: string, stage: StoredCredential['stage'] = 'pending'): StoredCredential => ({
  version: `v-${clientId}`,
  stage,
  clientId,
});
const seen = (applications: Application[], credentials: StoredCredential[] = []): ApplicationsSeen => ({
  applications,
  stored: credentials,
  ownName: OWN,
  nowMs: NOW,
  orphanGraceMs: GRACE,
});
const removed = (settlement: {
  remove: { application: Application; reason: string; revokeVersion?: string }[];
}) => settlement.remove.map((r) => [r.application.client_id, r.reason, r.revokeVersion]);

describe('settleOnboarding', () => {
  it('creates when the bank has nothing', () => {
    assert.deepEqual(settleOnboarding(seen([])), { remove: [], outcome: { kind: 'create' } });
  });

  it('uses the current credential whatever its name, and leaves other applications alone', () => {
    const current = app('c1', 'bank-x [op aaaaaaaaaaaa] (rotated)', 600);
    const unknown = app('u1', 'made by hand', 900);
    const settlement = settleOnboarding(seen([unknown, current], [stored('c1', 'current')]));
    assert.deepEqual(settlement.remove, []);
    assert.equal(settlement.outcome.kind, 'use');
    assert.deepEqual(
      settlement.outcome.kind === 'use' && [
        settlement.outcome.application,
        settlement.outcome.ownApplication,
      ],
      [current, false],
    );
  });

  it('prefers the current credential to an older stored one, and deletes its own twins with their versions', () => {
    const older = app('p1', 'bank-x [op bbbbbbbbbbbb]', 900);
    const current = app('c1', OWN, 20);
    const twin = app('t1', OWN, 25);
    const settlement = settleOnboarding(
      seen([twin, older, current], [stored('p1', 'superseded'), stored('c1', 'current'), stored('t1')]),
    );
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.application.client_id, 'c1');
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.ownApplication, true);
    assert.deepEqual(removed(settlement), [['t1', 'twin', 'v-t1']]);
  });

  it('without a current one, the oldest stored wins; ties go to the lowest client id', () => {
    const a = app('b2', OWN, 10);
    const b = app('b1', OWN, 10);
    const settlement = settleOnboarding(seen([a, b], [stored('b2'), stored('b1')]));
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.credential.version, 'v-b1');
    assert.deepEqual(removed(settlement), [['b2', 'twin', 'v-b2']]);
  });

  it('waits for an older create of its own still in flight, deleting nothing that may yet win', () => {
    const inFlight = app('f1', OWN, 12);
    const younger = app('y1', OWN, 5);
    const settlement = settleOnboarding(seen([younger, inFlight], [stored('y1')]));
    assert.deepEqual(settlement.remove, []);
    assert.deepEqual(settlement.outcome, { kind: 'wait', application: inFlight, retryAfterMs: 18_000 });
    const late = settleOnboarding(seen([app('f2', OWN, 29.5)]));
    assert.equal(late.outcome.kind === 'wait' && late.outcome.retryAfterMs, 1_000, 'at least a second');
  });

  it('leaves a younger create of its own in flight to its attempt once a winner is known', () => {
    const winner = app('w1', OWN, 20);
    const settlement = settleOnboarding(seen([winner, app('f1', OWN, 5)], [stored('w1')]));
    assert.deepEqual(settlement.remove, []);
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.application, winner);
  });

  it('deletes its own orphans past the grace period, then creates', () => {
    const settlement = settleOnboarding(seen([app('o1', OWN, 31)]));
    assert.deepEqual(removed(settlement), [['o1', 'orphan', undefined]]);
    assert.deepEqual(settlement.outcome, { kind: 'create' });
  });

  it('refuses beside an application it neither knows nor created, deleting only its own orphans', () => {
    const unknown = app('u1', 'bank-x [op cccccccccccc]', 3600);
    const settlement = settleOnboarding(seen([unknown, app('o1', OWN, 60)]));
    assert.deepEqual(removed(settlement), [['o1', 'orphan', undefined]]);
    assert.deepEqual(settlement.outcome, { kind: 'refuse', unknown: [unknown] });
  });

  it('reuses a stored credential of another operation, and ignores unknown applications once it has one', () => {
    const earlier = app('e1', 'bank-x [op dddddddddddd]', 120);
    const settlement = settleOnboarding(seen([earlier, app('u1', 'other', 3600)], [stored('e1')]));
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.ownApplication, false);
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.application, earlier);
  });

  it('ignores a current version whose application is gone', () => {
    const settlement = settleOnboarding(
      seen([app('p1', OWN, 40)], [stored('gone', 'current'), stored('p1', 'previous')]),
    );
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.application.client_id, 'p1');
  });
});

describe('settleRotation', () => {
  it('creates beside the current credential and any unknown application', () => {
    const settlement = settleRotation(
      seen([app('c1', 'bank-x [op eeeeeeeeeeee]', 600), app('u1', 'by hand', 60)], [stored('c1', 'current')]),
    );
    assert.deepEqual(settlement, { remove: [], outcome: { kind: 'create' } });
  });

  it('uses only its own stored application, even when an older stored one exists', () => {
    const own = app('n1', OWN, 10);
    const settlement = settleRotation(seen([app('p1', 'older', 900), own], [stored('p1'), stored('n1')]));
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.application, own);
    assert.deepEqual(settlement.remove, []);
  });

  it('keeps its own application once promoted, deleting a twin a stale attempt created after it', () => {
    const promoted = app('n1', OWN, 10);
    const settlement = settleRotation(
      seen([app('n0', OWN, 15), promoted], [stored('n0'), stored('n1', 'current')]),
    );
    assert.equal(settlement.outcome.kind === 'use' && settlement.outcome.application, promoted);
    assert.deepEqual(removed(settlement), [['n0', 'twin', 'v-n0']]);
  });
});
