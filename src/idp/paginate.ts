/** Walks a paginated IdP list (zero-based `page`, `total` of all matching records). */

/** The largest page the IdP allows. */
export const PAGE_SIZE = 100;

export interface Page<T> {
  total: number;
  objects: T[];
}

/** Yields every object of every page, from page 0, until `total` objects were seen or a page comes back empty. */
export async function* paginate<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let seen = 0;
  for (let page = 0; ; page++) {
    const { total, objects } = await fetchPage(page);
    yield* objects;
    seen += objects.length;
    if (objects.length === 0 || seen >= total) return;
  }
}
