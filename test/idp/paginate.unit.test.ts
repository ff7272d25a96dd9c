/** Unit tests of the pagination helper (src/idp/paginate.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paginate, type Page } from '../../src/idp/paginate.js';

/** A list of `total` numbers served in pages of `size`, recording which pages were asked for. */
function pages(total: number, size = 100) {
  const requested: number[] = [];
  const fetchPage = (page: number): Promise<Page<number>> => {
    requested.push(page);
    const objects = Array.from({ length: total }, (_, i) => i).slice(page * size, (page + 1) * size);
    return Promise.resolve({ total, objects });
  };
  return { requested, fetchPage };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('paginate', () => {
  it('walks every page until total is reached', async () => {
    const { requested, fetchPage } = pages(250);
    const all = await collect(paginate(fetchPage));
    assert.equal(all.length, 250);
    assert.deepEqual(all.slice(0, 3), [0, 1, 2]);
    assert.equal(all.at(-1), 249);
    assert.deepEqual(requested, [0, 1, 2]);
  });

  it('does not ask for a page past an exact multiple of the page size', async () => {
    const { requested, fetchPage } = pages(200);
    assert.equal((await collect(paginate(fetchPage))).length, 200);
    assert.deepEqual(requested, [0, 1]);
  });

  it('asks once for an empty list', async () => {
    const { requested, fetchPage } = pages(0);
    assert.deepEqual(await collect(paginate(fetchPage)), []);
    assert.deepEqual(requested, [0]);
  });

  it('stops at an empty page even when total promises more', async () => {
    const requested: number[] = [];
    const fetchPage = (page: number) => {
      requested.push(page);
      return Promise.resolve({ total: 1000, objects: page < 2 ? ['a', 'b'] : [] });
    };
    assert.deepEqual(await collect(paginate(fetchPage)), ['a', 'b', 'a', 'b']);
    assert.deepEqual(requested, [0, 1, 2]);
  });

  it('propagates the error of a failing page after yielding the earlier ones', async () => {
    const seen: number[] = [];
    const fetchPage = (page: number) =>
      page === 0
        ? Promise.resolve({ total: 3, objects: [1, 2] })
        : Promise.reject(new Error('page 1 failed'));
    await assert.rejects(async () => {
      for await (const item of paginate(fetchPage)) seen.push(item);
    }, /page 1 failed/);
    assert.deepEqual(seen, [1, 2]);
  });

  it('fetches lazily: stopping early fetches no further page', async () => {
    const { requested, fetchPage } = pages(250);
    for await (const item of paginate(fetchPage)) if (item === 5) break;
    assert.deepEqual(requested, [0]);
  });
});
