/**
 * Caches one access token until `refreshMarginMs` before it expires, with a single token request in flight
 * however many callers wait. A caller's abort stops its own wait, never the shared request.
 */
import type { AccessToken } from './token.js';

export class TokenCache {
  #current: AccessToken | undefined;
  #inFlight: Promise<AccessToken> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<AccessToken>,
    private readonly refreshMarginMs: number,
  ) {}

  async get(signal?: AbortSignal): Promise<AccessToken> {
    signal?.throwIfAborted();
    const current = this.#current;
    if (current && Date.now() < current.expiresAt.getTime() - this.refreshMarginMs) return current;
    this.#inFlight ??= this.fetchToken()
      .then((token) => (this.#current = token))
      .finally(() => (this.#inFlight = undefined));
    return abortable(this.#inFlight, signal);
  }

  /** Forgets the access token `accessToken` after the IdP refused it (401), unless a newer one replaced it. */
  invalidate(accessToken: string): void {
    if (this.#current?.accessToken === accessToken) this.#current = undefined;
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    // Passes the caller's abort reason through unchanged; typed Error for the lint rule, whatever it is.
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
