/**
 * Registers the custom search attributes when they are missing and the server permits it (the dev server
 * does); otherwise stops with a clear message naming them and the command that creates them. A namespace
 * that does not exist stops it the same way, naming the command that creates the namespace.
 */
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../model/workflow-safe/search-attributes.js';

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

/** How `temporal operator search-attribute create --type` names each type. */
const CLI_TYPE_NAME: Record<keyof typeof INDEXED_VALUE_TYPE, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export class SearchAttributesMissing extends Error {
  override name = 'SearchAttributesMissing';
}

export class NamespaceMissing extends Error {
  override name = 'NamespaceMissing';
}

/** gRPC status NOT_FOUND: the server's answer for a namespace it does not have. */
const GRPC_NOT_FOUND = 5;

async function listSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string) {
  try {
    return await connection.operatorService.listSearchAttributes({ namespace });
  } catch (err) {
    if ((err as { code?: unknown }).code === GRPC_NOT_FOUND)
      throw new NamespaceMissing(
        `Namespace ${namespace} does not exist on this Temporal server (TEMPORAL_NAMESPACE); create it with: temporal operator namespace create --namespace ${namespace}`,
      );
    throw err;
  }
}

export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const existing = await listSearchAttributes(connection, namespace);
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
          `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${CLI_TYPE_NAME[key.type]}`,
      )
      .join(' && ');
    throw new SearchAttributesMissing(
      `Search attributes ${stillMissing.map((k) => k.name).join(', ')} are missing in namespace ${namespace} and could not be created (${(err as Error).message}); create them with: ${commands}`,
    );
  }
  return missing.map((key) => key.name);
}
