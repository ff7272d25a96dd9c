/**
 * The OpenAPI document's pattern for IP allowlist entries says what the validation (ip-allowlist.ts) does:
 * compared on the boundaries of every non-public range, on every prefix, and on random entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipAllowlistEntryPattern } from '../../src/api/ip-allowlist-pattern.js';
import { ipAllowlistEntryProblem, NON_PUBLIC_RANGES } from '../../src/model/ip-allowlist.js';

const dotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
const toNumber = (d: string) => d.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** A deterministic generator, so that a failure names an entry that can be tried again. */
function* seeded(seed: number) {
  for (let state = seed; ;) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    yield state / 2 ** 31;
  }
}

describe('the IP allowlist entry pattern', () => {
  const pattern = new RegExp(ipAllowlistEntryPattern());
  const agree = (entry: string) =>
    assert.equal(pattern.test(entry), ipAllowlistEntryProblem(entry) === undefined, entry);

  it('agrees around every non-public range, with every prefix', () => {
    for (const [base, prefix] of NON_PUBLIC_RANGES) {
      const start = toNumber(base);
      const end = start + 2 ** (32 - prefix) - 1;
      for (const address of [start - 1, start, start + 1, end - 1, end, end + 1]) {
        if (address < 0 || address >= 2 ** 32) continue;
        for (let p = 0; p <= 32; p++) {
          const network = address - (address % 2 ** (32 - p));
          agree(`${dotted(network)}/${p}`);
          agree(`${dotted(address)}/${p}`);
        }
        agree(dotted(address));
      }
    }
  });

  it('agrees on random entries, and on malformed ones', () => {
    const random = seeded(26);
    const next = () => random.next().value!;
    for (let i = 0; i < 20_000; i++) {
      const address = Math.floor(next() * 2 ** 32);
      const p = Math.floor(next() * 33);
      const network = address - (address % 2 ** (32 - p));
      agree(`${dotted(network)}/${p}`);
      agree(dotted(address));
    }
    for (const entry of [
      '',
      '8.8.8.8/33',
      '8.8.8.08',
      '8.8.8',
      '8.8.8.8/',
      '8.8.8.8/08',
      '8.0.0.0/07',
      '256.1.1.1',
      ' 8.8.8.8',
    ]) {
      agree(entry);
    }
  });
});
