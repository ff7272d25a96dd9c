/**
 * Decides, request by request, which fault (if any) hits it. Every faultable request draws exactly two
 * numbers from a seeded PRNG, whatever the outcome, so the same seed and the same request sequence give
 * the same faults. Setting `seed` restarts the sequence.
 */
import { DEFAULT_FAULTS, parseFaultsPatch, type SandboxFaults } from './faults.js';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'throttle' }
  | { kind: 'rateLimited' }
  | { kind: 'lostResponse' };

/** mulberry32: tiny, fast and good enough to spread faults; not for anything secret. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ERROR_STATUSES = [500, 502, 503] as const;

export class FaultInjector {
  private faults: SandboxFaults;
  private random: () => number;
  private bucket = { tokens: 0, refilledAt: 0 };

  constructor(initial: Partial<SandboxFaults> = {}) {
    this.faults = { ...DEFAULT_FAULTS, ...parseFaultsPatch(initial) };
    this.random = mulberry32(this.faults.seed);
    this.resetBucket();
  }

  current(): SandboxFaults {
    return structuredClone(this.faults); // the lists too: a caller's change must not reach the sandbox
  }

  /** Applies a validated partial update (throws on invalid input) and returns the full set. */
  update(patch: Partial<SandboxFaults>): SandboxFaults {
    const changes = parseFaultsPatch(patch);
    this.faults = { ...this.faults, ...changes };
    if (changes.seed !== undefined) this.random = mulberry32(changes.seed);
    if (changes.rateLimit !== undefined) this.resetBucket();
    return this.current();
  }

  /**
   * One request's fault. errorRate and throttleRate split one draw (when they add up to more than 1,
   * errors take precedence); lost responses apply only to /api/* writes that were not otherwise faulted.
   */
  decide(isApiWrite: boolean, nowMs: number = Date.now()): FaultDecision {
    const u = this.random();
    const v = this.random();
    const { errorRate, throttleRate, lostResponseRate } = this.faults;
    if (!this.takeToken(nowMs)) return { kind: 'rateLimited' };
    if (u < errorRate)
      return { kind: 'error', status: ERROR_STATUSES[Math.floor(v * ERROR_STATUSES.length)]! };
    if (u < errorRate + throttleRate) return { kind: 'throttle' };
    if (isApiWrite && v < lostResponseRate) return { kind: 'lostResponse' };
    return { kind: 'none' };
  }

  private resetBucket(): void {
    this.bucket = { tokens: this.capacity(), refilledAt: Date.now() };
  }

  /** The token bucket holds up to one second of requests (at least one). */
  private capacity(): number {
    return Math.max(1, this.faults.rateLimit);
  }

  private takeToken(nowMs: number): boolean {
    const { rateLimit } = this.faults;
    if (rateLimit === 0) return true;
    const elapsedSeconds = Math.max(0, nowMs - this.bucket.refilledAt) / 1000;
    this.bucket = {
      tokens: Math.min(this.capacity(), this.bucket.tokens + elapsedSeconds * rateLimit),
      refilledAt: nowMs,
    };
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }
}
