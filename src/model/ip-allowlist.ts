/**
 * IP allowlist entries. The IdP documents "public IPv4 addresses / CIDR ranges" and leaves the exact
 * server rules unknown; we choose the rules a careful engineer would expect and keep them here, in one
 * place, for both the client (checked before sending) and the sandbox (422 on violation):
 * dotted-quad IPv4 with an optional /0../32 prefix, no host bits set beyond the prefix, and not in a
 * private, loopback, link-local, CGNAT, multicast or reserved range. IPv6 is refused (unknown upstream).
 */
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

export const NON_PUBLIC_RANGES: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function toUint32(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function parse(entry: string): { base: number; prefix: number } | undefined {
  const m = IPV4_CIDR.exec(entry);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255) || m.slice(1, 5).some((o) => o.length > 1 && o.startsWith('0')))
    return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return undefined;
  const [a, b, c, d] = octets as [number, number, number, number];
  return { base: toUint32(a, b, c, d), prefix };
}

/** Why an allowlist entry is refused, or undefined when it is acceptable. */
export function ipAllowlistEntryProblem(entry: string): string | undefined {
  const parsed = parse(entry);
  if (!parsed) return 'must be an IPv4 address or CIDR range such as 203.0.114.7 or 198.51.101.0/24';
  if ((parsed.base & ~mask(parsed.prefix)) >>> 0 !== 0) return 'has host bits set beyond its prefix';
  for (const [range, prefix] of NON_PUBLIC_RANGES) {
    const r = parse(range)!;
    const common = Math.min(prefix, parsed.prefix);
    if ((parsed.base & mask(common)) >>> 0 === (r.base & mask(common)) >>> 0) {
      return `is not a public address (overlaps ${range}/${prefix})`;
    }
  }
  return undefined;
}
