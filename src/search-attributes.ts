/**
 * Custom search attributes of every workflow (design.md: `BankGuid` on every workflow). Workflow-safe: the
 * workflows, the client and the worker's registration all read this one list.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BankGuidKey = defineSearchAttributeKey('BankGuid', SearchAttributeType.KEYWORD);
export const ProvisioningOperationKey = defineSearchAttributeKey(
  'ProvisioningOperation',
  SearchAttributeType.KEYWORD,
);

export const CUSTOM_SEARCH_ATTRIBUTES = [BankGuidKey, ProvisioningOperationKey] as const;
