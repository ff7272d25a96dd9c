/** The one rule of escalating reminders (a rotation's new key, as the current key's expiry nears). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextReminderAt, timeLeftIn } from '../../src/model/workflow-safe/tasks.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const now = Date.parse('2027-01-10T00:00:00.000Z');
const inMs = (ms: number) => new Date(now + ms).toISOString();

describe('task reminders', () => {
  it('keep the reminder interval when no key expiry is known, or it is far off', () => {
    assert.equal(nextReminderAt(now, DAY_MS), now + DAY_MS);
    assert.equal(nextReminderAt(now, DAY_MS, inMs(30 * DAY_MS)), now + DAY_MS);
  });

  it('come at most a quarter of the time left apart, at least an hour, past the expiry too', () => {
    assert.equal(nextReminderAt(now, DAY_MS, inMs(2 * DAY_MS)), now + 12 * HOUR_MS);
    assert.equal(nextReminderAt(now, DAY_MS, inMs(2 * HOUR_MS)), now + HOUR_MS);
    assert.equal(nextReminderAt(now, DAY_MS, inMs(-DAY_MS)), now + HOUR_MS);
  });

  it('say how long is left in words', () => {
    assert.equal(timeLeftIn(inMs(3 * DAY_MS + 4 * HOUR_MS + 5), now), '3 days 4 hours');
    assert.equal(timeLeftIn(inMs(DAY_MS), now), '1 day');
    assert.equal(timeLeftIn(inMs(5 * HOUR_MS), now), '5 hours');
    assert.equal(timeLeftIn(inMs(HOUR_MS - 1), now), 'less than an hour');
    assert.equal(timeLeftIn(inMs(-1), now), 'expired');
  });
});
