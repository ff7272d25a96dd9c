/**
 * Registers the custom search attributes when they are missing and the server permits it (the dev server
 * does); otherwise stops with a clear message naming them and the command that creates them.
 */
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../model/search-attributes.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

export const INDEXED_VALUE_TYPE = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

export class SearchAttributesMissing extends Error {
  override name = 'SearchAttributesMissing';
}

export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = CUSTOM_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
  } catch (err) {
    // Another worker may have registered them at the same moment.
    const after = await connection.operatorService.listSearchAttributes({ namespace });
    const stillMissing = missing.filter((key) => !(key.name in (after.customAttributes ?? {})));
    if (stillMissing.length === 0) return [];
    const commands = stillMissing
      .map(
        (key) =>
          `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${key.type === 'KEYWORD' ? 'Keyword' : key.type}`,
      )
      .join(' && ');
    throw new SearchAttributesMissing(
      `Search attributes ${stillMissing.map((k) => k.name).join(', ')} are missing in namespace ${namespace} and could not be created (${(err as Error).message}); create them with: ${commands}`,
    );
  }
  return missing.map((key) => key.name);
}
