import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { MAX_RETRY_DELAY_MS, retryDelayMs, snapshot } from '../../src/activities/attempt-backoff.js';
import { throttled } from '../../src/activities/heartbeat-throttle.js';
import { handOver } from '../../src/activities/lanes.js';

describe('heartbeat throttle', () => {
  it('sends the first call at once and drops the calls within the interval', async () => {
    const sent: number[] = [];
    const details = { done: 0 };
    const beat = throttled(details, (d) => sent.push(d.done), 50);
    for (let i = 1; i <= 5; i++) {
      details.done = i;
      beat();
    }
    assert.deepEqual(sent, [1]);
    await sleep(60);
    details.done = 6;
    beat();
    assert.deepEqual(sent, [1, 6], 'the first call after the interval sends the latest details');
  });
});

describe('lanes: handOver', () => {
  it('resolves once the work has started in the lane, with the promise of its result', async () => {
    const lane = pLimit(1);
    let release!: () => void;
    const blocker = lane(() => new Promise<void>((resolve) => (release = resolve)));
    let handedOver = false;
    const handing = handOver(lane, () => Promise.resolve('stored')).then((h) => {
      handedOver = true;
      return h;
    });
    await sleep(10);
    assert.equal(handedOver, false, 'handed over while the lane was full');
    release();
    await blocker;
    const { stored } = await handing;
    assert.equal(await stored, 'stored');
  });

  it('resolves when the work fails before it could be seen starting, its failure in `stored`', async () => {
    const { stored } = await handOver(pLimit(1), () => Promise.reject(new Error('store down')));
    await assert.rejects(stored, /store down/);
  });
});

describe('attempt backoff', () => {
  it('retries after a second while attempts move, doubling per stalled attempt up to 30 s', () => {
    assert.equal(retryDelayMs(0, 0), 1_000);
    assert.equal(retryDelayMs(3, 0), 8_000);
    assert.equal(retryDelayMs(10, 0), MAX_RETRY_DELAY_MS);
  });

  it("honours the IdP's Retry-After when it asks for longer", () => {
    assert.equal(retryDelayMs(0, 45_000), 45_000);
    assert.equal(retryDelayMs(5, 1_000), MAX_RETRY_DELAY_MS);
  });

  it('tells progress apart from counts of attempts', () => {
    const base = { stalled: 0, outcomes: [null] as unknown[] };
    const stalledMore = { ...base, stalled: 4 };
    const moved = { ...base, outcomes: [{ state: 'done' }] };
    assert.equal(snapshot(stalledMore), snapshot(base));
    assert.notEqual(snapshot(moved), snapshot(base));
  });
});
