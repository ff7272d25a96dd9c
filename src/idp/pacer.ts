/**
 * Spaces the requests of this worker so that they leave at most `rate` per second, evenly (no bursts): each
 * request takes the next free slot of a schedule, 1/rate seconds after the one before. Several workers share
 * the IdP's limit by each taking its part of it (see temporal/idp-rate-share.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class RequestPacer {
  /** When the next request may leave, on the performance.now() clock. */
  private nextSlot = 0;

  constructor(private rate: number) {}

  get requestsPerSecond(): number {
    return this.rate;
  }

  /** Applies to the requests that take a slot from now on. */
  setRate(rate: number): void {
    this.rate = rate;
  }

  /** Waits for this request's slot; an abort gives it up (the slot stays taken). */
  async take(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.rate;
    if (slot > now) await sleep(slot - now, undefined, { signal });
  }
}
