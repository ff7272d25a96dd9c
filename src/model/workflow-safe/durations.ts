/** Durations as Temporal and `ms` write them. Free of zod: workflow code computes with them (planner.ts). */

/** 90s, 15m, 24h, 90d; `Duration` in contract.ts checks a value against it. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a valid duration: a string DURATION_PATTERN accepts, or milliseconds as a number. */
export function durationMs(duration: string | number): number {
  if (typeof duration === 'number') return duration;
  const [, amount, unit] = DURATION_PATTERN.exec(duration)!;
  return Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
}
