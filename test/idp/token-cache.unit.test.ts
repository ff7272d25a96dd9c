/** Unit tests of the token cache (src/idp/token-cache.ts); the contract tests exercise it over HTTP too. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessToken } from '../../src/idp/token.js';
import { TokenCache } from '../../src/idp/token-cache.js';

/** A token source that counts requests; each token lives `lifetimeMs`. */
function tokenSource(lifetimeMs = 1_800_000, delayMs = 10) {
  let requests = 0;
  let failNext = false;
  const fetchToken = async (): Promise<AccessToken> => {
    const n = ++requests;
    await sleep(delayMs);
    if (failNext) {
      failNext = false;
      throw new Error('token endpoint down');
    }
    return {
      accessToken: `token-${n}`,
      tokenType: 'Bearer',
      grantedScopes: [],
      expiresAt: new Date(Date.now() + lifetimeMs),
    };
  };
  return {
    fetchToken,
    requests: () => requests,
    failNextRequest: () => void (failNext = true),
  };
}

describe('TokenCache', () => {
  it('makes one token request for 50 concurrent callers, then serves the cache', async () => {
    const source = tokenSource();
    const cache = new TokenCache(source.fetchToken, 60_000);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    assert.equal(source.requests(), 1);
    assert.ok(tokens.every((t) => t.accessToken === 'token-1'));
    assert.equal((await cache.get()).accessToken, 'token-1');
    assert.equal(source.requests(), 1);
  });

  it('refreshes a token within the margin before its expiry', async () => {
    const source = tokenSource(30_000);
    const cache = new TokenCache(source.fetchToken, 30_000);
    assert.equal((await cache.get()).accessToken, 'token-1');
    assert.equal((await cache.get()).accessToken, 'token-2');
    assert.equal(source.requests(), 2);

    const relaxed = new TokenCache(tokenSource(30_000).fetchToken, 29_000);
    const first = await relaxed.get();
    assert.equal(await relaxed.get(), first, 'a token outside the margin is reused');
  });

  it('does not cache a failed request: the next caller tries again', async () => {
    const source = tokenSource();
    const cache = new TokenCache(source.fetchToken, 60_000);
    source.failNextRequest();
    const attempts = await Promise.allSettled([cache.get(), cache.get()]);
    assert.ok(attempts.every((a) => a.status === 'rejected'));
    assert.equal(source.requests(), 1);
    assert.equal((await cache.get()).accessToken, 'token-2');
  });

  it('invalidates only the token that was refused', async () => {
    const source = tokenSource();
    const cache = new TokenCache(source.fetchToken, 60_000);
    const first = await cache.get();
    cache.invalidate(first.accessToken);
    const second = await cache.get();
    assert.equal(second.accessToken, 'token-2');
    cache.invalidate(first.accessToken); // a late 401 for the old token must not discard the new one
    assert.equal(await cache.get(), second);
    assert.equal(source.requests(), 2);
  });

  it("lets one caller abort its wait without failing the others' shared request", async () => {
    const source = tokenSource(1_800_000, 50);
    const cache = new TokenCache(source.fetchToken, 60_000);
    const controller = new AbortController();
    const aborted = cache.get(controller.signal);
    const other = cache.get();
    controller.abort(new Error('caller went away'));
    await assert.rejects(aborted, /caller went away/);
    assert.equal((await other).accessToken, 'token-1');
    assert.equal(source.requests(), 1);
    await assert.rejects(cache.get(controller.signal), /caller went away/);
  });
});
