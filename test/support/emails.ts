/** Valid addresses of an exact length (up to the 254 allowed), unique by `tag`, for size and limit tests. */

const SUFFIX = '.example.com';

/**
 * `<tag padded with x>@<labels of d>.example.com`: the local part is as long as allowed (64), the domain
 * fills the rest with labels of up to 63 characters, so addresses of one length share their domain, as a
 * bank's users do.
 */
export function emailOfLength(length: number, tag: string): string {
  const localLength = Math.min(64, length - 1 - `d${SUFFIX}`.length);
  if (localLength < tag.length) throw new Error(`no ${length}-character address fits the tag ${tag}`);
  let fill = length - localLength - 1 - SUFFIX.length;
  const labels: string[] = [];
  while (fill > 63) {
    const size = Math.min(63, fill - 2); // leave at least one character after the dot
    labels.push('d'.repeat(size));
    fill -= size + 1;
  }
  labels.push('d'.repeat(fill));
  return `${tag.padEnd(localLength, 'x')}@${labels.join('.')}${SUFFIX}`;
}
