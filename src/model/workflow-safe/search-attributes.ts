/**
 * Custom search attributes: `BankGuid` on every per-bank workflow, and the operation. Workflow-safe: the
 * workflows, the client and the worker's registration all read this one list.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const BankGuidKey = defineSearchAttributeKey('BankGuid', SearchAttributeType.KEYWORD);
export const ProvisioningOperationKey = defineSearchAttributeKey(
  'ProvisioningOperation',
  SearchAttributeType.KEYWORD,
);

export const CUSTOM_SEARCH_ATTRIBUTES = [BankGuidKey, ProvisioningOperationKey] as const;

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
