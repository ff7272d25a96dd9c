/** Small helpers of the side-by-side benchmark: CPU deltas over a window, medians, a load driver. */
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Measured } from './processes.js';

/** CPU each process spent while `work` ran, in ms, and the wall time in s. */
export async function window<T>(
  processes: Record<string, Measured>,
  work: () => Promise<T>,
): Promise<{ seconds: number; cpuMs: Record<string, number>; result: T }> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, p.cpuMs()]));
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = Object.fromEntries(
    Object.entries(processes).map(([name, p]) => [name, p.cpuMs() - before[name]!]),
  );
  return { seconds, cpuMs, result };
}

/** Runs `count` operations with at most `inFlight` at once. */
export async function drive(
  count: number,
  inFlight: number,
  one: (i: number) => Promise<void>,
): Promise<void> {
  const limit = pLimit(inFlight);
  await Promise.all(Array.from({ length: count }, (_, i) => limit(() => one(i))));
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : round2((sorted[middle - 1]! + sorted[middle]!) / 2);
};

export const round1 = (value: number) => Math.round(value * 10) / 10;
export const round2 = (value: number) => Math.round(value * 100) / 100;

/** Samples `read` every `everyMs` until stopped; returns the samples with their time (s since start). */
export function sampler(read: () => number | Promise<number>, everyMs: number) {
  const samples: { at: number; value: number }[] = [];
  const started = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push({ at: (performance.now() - started) / 1000, value: await read() });
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Least-squares slope of value over time, per minute. */
export function slopePerMinute(samples: { at: number; value: number }[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanAt = samples.reduce((s, p) => s + p.at, 0) / n;
  const meanValue = samples.reduce((s, p) => s + p.value, 0) / n;
  const covariance = samples.reduce((s, p) => s + (p.at - meanAt) * (p.value - meanValue), 0);
  const variance = samples.reduce((s, p) => s + (p.at - meanAt) ** 2, 0);
  return (covariance / variance) * 60;
}
