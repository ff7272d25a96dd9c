/** The provisioning ledger's public API. */
export type { LedgerUser, ProvisioningLedger, RotationRecord } from './ledger.js';
export { openLedger, type LedgerLocation } from './open.js';
