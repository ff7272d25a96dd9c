/**
 * Custom search attributes: `BankGuid` on every per-bank workflow, the operation, and whether it waits for a
 * person. Workflow-safe: the
 * workflows, the client and the worker's registration all read this one list.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const BankGuidKey = defineSearchAttributeKey('BankGuid', SearchAttributeType.KEYWORD);
export const ProvisioningOperationKey = defineSearchAttributeKey(
  'ProvisioningOperation',
  SearchAttributeType.KEYWORD,
);

/**
 * True while the operation waits for a person (an open task): the Web UI query `AwaitingPerson = true` lists
 * every such operation, and `provisioner tasks` reads them through it.
 */
export const AwaitingPersonKey = defineSearchAttributeKey('AwaitingPerson', SearchAttributeType.BOOL);

export const CUSTOM_SEARCH_ATTRIBUTES = [BankGuidKey, ProvisioningOperationKey, AwaitingPersonKey] as const;

/** The search attributes of one operation: the workflow type, and the bank when there is one. */
export function operationSearchAttributes(
  operation: string,
  bankGuid: string | undefined,
): SearchAttributePair[] {
  return [
    ...(bankGuid ? [{ key: BankGuidKey, value: bankGuid }] : []),
    { key: ProvisioningOperationKey, value: operation },
  ];
}
