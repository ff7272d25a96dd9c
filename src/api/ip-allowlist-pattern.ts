/**
 * The IP allowlist rule of src/model/ip-allowlist.ts as one regular expression, for the OpenAPI document: derived from
 * the same list of non-public ranges, so that an entry the document allows is one the validation accepts and
 * the other way round. An entry is a network N/p (or an address, /32) with no host bits set beyond p, that
 * overlaps no non-public range. Built octet by octet: once no non-public range can overlap any more, the rest
 * only has to leave the host bits zero.
 */
import { NON_PUBLIC_RANGES } from '../model/ip-allowlist.js';

interface Range {
  base: number;
  prefix: number;
}

const toNumber = (dotted: string) => dotted.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const RANGES: Range[] = NON_PUBLIC_RANGES.map(([base, prefix]) => ({ base: toNumber(base), prefix }));
/** The first `bits` bits of a 32-bit value. */
const top = (value: number, bits: number) => Math.floor(value / 2 ** (32 - bits));

/** Decimal numbers from `from` to `to` written with as many digits each, without leading zeros. */
function sameLength(from: string, to: string): string {
  if (from === to) return from;
  if (from.length === 1) return `[${from}-${to}]`;
  if (from[0] === to[0]) return from[0]! + sameLength(from.slice(1), to.slice(1));
  const rest = from.length - 1;
  const parts = [from[0]! + sameLength(from.slice(1), '9'.repeat(rest))];
  const [low, high] = [Number(from[0]) + 1, Number(to[0]) - 1];
  if (low <= high) parts.push(`${low === high ? low : `[${low}-${high}]`}[0-9]{${rest}}`);
  parts.push(to[0]! + sameLength('0'.repeat(rest), to.slice(1)));
  return `(?:${parts.join('|')})`;
}

/** Any of these octet values (sorted), as a regular expression. */
function octetSet(values: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    for (const [low, high] of [
      [0, 9],
      [10, 99],
      [100, 255],
    ] as const) {
      const [from, to] = [Math.max(values[i]!, low), Math.min(values[j]!, high)];
      if (from <= to) parts.push(sameLength(String(from), String(to)));
    }
    i = j + 1;
  }
  return parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
}

/** The values octet `k` may take in a network of prefix `p`: free, a multiple of its host block, or 0. */
function octetValues(k: number, p: number): number[] {
  const step = 2 ** Math.min(8, Math.max(0, 8 * (k + 1) - p));
  return Array.from({ length: 256 / step }, (_, i) => i * step);
}

const tails = new Map<string, string>();
/** Octets k..3 of any network of prefix p: only the host bits are bound (computed once each). */
function tail(k: number, p: number): string {
  const key = `${k}/${p}`;
  let found = tails.get(key);
  if (found === undefined) {
    found = Array.from({ length: 4 - k }, (_, i) => octetSet(octetValues(k + i, p))).join('\\.');
    tails.set(key, found);
  }
  return found;
}

/** Octets k..3 of the valid networks of prefix p whose first k octets are `value`; null when there are none. */
function networks(k: number, p: number, value: number, open: Range[]): string | null {
  if (open.length === 0) return tail(k, p);
  const alternatives = new Map<string, number[]>();
  for (const octet of octetValues(k, p)) {
    const next = value * 256 + octet;
    const bits = 8 * (k + 1);
    const network = next * 2 ** (32 - bits);
    // A range is decided once the bits it shares with the network are known: overlapping, the network is
    // out. A range that already differs in the known bits cannot overlap.
    const undecided = open.filter(
      (r) => Math.min(p, r.prefix) > bits && top(network, bits) === top(r.base, bits),
    );
    const overlaps = open.some((r) => {
      const shared = Math.min(p, r.prefix);
      return shared <= bits && top(network, shared) === top(r.base, shared);
    });
    if (overlaps) continue;
    const rest = k === 3 ? '' : networks(k + 1, p, next, undecided);
    if (rest === null) continue;
    const group = alternatives.get(rest);
    if (group) group.push(octet);
    else alternatives.set(rest, [octet]);
  }
  if (alternatives.size === 0) return null;
  const parts = [...alternatives].map(([rest, octets]) => `${octetSet(octets)}${rest ? `\\.${rest}` : ''}`);
  return parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
}

let pattern: string | undefined;

/** The pattern (some 60 kB), built when first asked for: only the OpenAPI document needs it. */
export function ipAllowlistEntryPattern(): string {
  pattern ??= allowlistEntryPattern();
  return pattern;
}

function allowlistEntryPattern(): string {
  const alternatives: string[] = [];
  for (let p = 0; p <= 32; p++) {
    // A range of prefix 0 overlaps everything: shared bits 0.
    if (RANGES.some((r) => Math.min(p, r.prefix) === 0)) continue;
    const found = networks(0, p, 0, RANGES);
    if (found === null) continue;
    // ip-allowlist.ts reads the prefix as one or two digits: /8 and /08 alike.
    const prefix = p === 32 ? '(?:/32)?' : `/${p < 10 ? '0?' : ''}${p}`;
    alternatives.push(`${found}${prefix}`);
  }
  return `^(?:${alternatives.join('|')})$`;
}
