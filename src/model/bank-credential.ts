/**
 * A bank's credential as its services read it from the secret store: one JSON document that is enough on
 * its own to mint a token (POST `tokenUrl` with grant_type client_credentials, `clientId`, `clientSecret` and
 * `scopes` joined by spaces). Part of the public contract: every backend stores exactly this document as
 * the value of `banks/<bankGuid>/credential`.
 */
import { z } from 'zod';
import { Guid } from './idp-schemas.js';

/**
 * Scopes a working bank credential must be granted, and the ones the document tells a consumer to request.
 * The IdP does not document which scopes a new bank application receives; these are the ones a bank
 * integration needs at minimum and that every documented bank credential example requests. Kept here, in
 * one place, so it is easy to change.
 */
export const BANK_CREDENTIAL_SCOPES = [
  'banks:read',
  'bank_applications:read',
  'customers:read',
  'customers:write',
] as const;

export const BANK_CREDENTIAL_FORMAT = 'cybrid-bank-credential/v1';

export const BankCredentialDocument = z.object({
  /** Changes only with an incompatible change of this document. */
  format: z.literal(BANK_CREDENTIAL_FORMAT),
  bankGuid: Guid,
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The IdP's token endpoint. */
  tokenUrl: z.url(),
  /** What to request at the token endpoint. */
  scopes: z.array(z.string().min(1)).min(1),
  /** The IdP application this credential belongs to. */
  applicationName: z.string().min(1),
  /** When the IdP created the application (ISO 8601). */
  createdAt: z.string(),
  /** When the credential stops working (ISO 8601); absent when it does not expire. */
  expiresAt: z.string().optional(),
});
export type BankCredentialDocument = z.infer<typeof BankCredentialDocument>;
