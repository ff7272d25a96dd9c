/**
 * Zod schemas for every model of the Cybrid IdP, contracts v0.129.899 and v0.129.1425. They are the single
 * source of the IdP types: the client validates requests with the request schemas before sending and
 * parses responses with the response schemas; the sandbox validates the same request schemas (422).
 *
 * Responses tolerate extra fields and unknown scope values (the IdP adds scopes almost every release);
 * requests are checked against the IdP's documented limits and the known scope enums.
 */
import { z } from 'zod';
import { Email } from './email.js';
import { ipAllowlistEntryProblem } from './ip-allowlist.js';
import { CUSTOMER_TOKEN_SCOPES, SCOPES_OF_CONTRACT, USER_SCOPES, type IdpContract } from './idp-scopes.js';
import { GUID_PATTERN } from './workflow-safe/operations.js';

export const Guid = z
  .string()
  .length(32, 'must be exactly 32 characters')
  .regex(GUID_PATTERN, 'must be 32 lowercase hexadecimal characters');

const unique = (values: readonly string[]) => new Set(values).size === values.length;

export const IpAllowlist = z
  .array(
    z.string().superRefine((entry, ctx) => {
      const problem = ipAllowlistEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: `${entry} ${problem}` });
    }),
  )
  .refine(unique, 'must not contain duplicates');

export const ApplicationName = z.string().min(1).max(128);
export { Email };

/** A list of known scopes. The enum's own message would list all 70-odd scopes, so it just says so. */
const scopeList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .array(z.enum(values, { error: 'is not one of the documented values' }))
    .min(1, 'must contain at least one scope')
    .refine(unique, 'must not contain duplicates');

// ---- requests ---------------------------------------------------------------------------------------------

const DateTime = z.iso.datetime({ offset: true });

export const PostBankApplication = z.object({
  name: ApplicationName,
  bank_guid: Guid.optional(),
  ip_allowlist: IpAllowlist.optional(),
  /** Required (and "must be in the future") since v0.129.1229; v0.129.899 has no such field. */
  expires_at: DateTime.optional(),
});
export type PostBankApplication = z.infer<typeof PostBankApplication>;

export const PostOrganizationApplication = PostBankApplication.omit({ bank_guid: true });
export type PostOrganizationApplication = z.infer<typeof PostOrganizationApplication>;

export const PatchApplication = z.object({
  name: ApplicationName.optional(),
  ip_allowlist: IpAllowlist.optional(),
});
export type PatchApplication = z.infer<typeof PatchApplication>;

export const PostUser = z.object({
  email: Email,
  allowed_scopes: scopeList(USER_SCOPES).nullable().optional(),
});
export type PostUser = z.infer<typeof PostUser>;

export const PatchUser = z.object({ allowed_scopes: scopeList(USER_SCOPES) });
export type PatchUser = z.infer<typeof PatchUser>;

export const PostCustomerToken = z.object({
  customer_guid: z.string().length(32),
  scopes: scopeList(CUSTOMER_TOKEN_SCOPES),
  /** Since v0.129.1221. Server default true: the token inherits the allowlist of the bank API key. */
  inherit_ip_allowlist: z.boolean().nullable().optional(),
  /** Since v0.129.1221. Combined with the inherited allowlist when `inherit_ip_allowlist` is true. */
  ip_allowlist: IpAllowlist.nullable().optional(),
});
export type PostCustomerToken = z.infer<typeof PostCustomerToken>;

/**
 * The request bodies exactly as one contract defines them (the sandbox validates with these). The schemas
 * above are the newest contract's, made lenient where the two differ, so a client can send either.
 */
function requestSchemasOf(contract: IdpContract) {
  const scopes = SCOPES_OF_CONTRACT[contract];
  if (contract === '0.129.899') {
    return {
      PostBankApplication,
      PostOrganizationApplication,
      PostUser: PostUser.extend({ allowed_scopes: scopeList(scopes.user).nullable().optional() }),
      PatchUser: PatchUser.extend({ allowed_scopes: scopeList(scopes.user) }),
      PostCustomerToken: PostCustomerToken.omit({ inherit_ip_allowlist: true, ip_allowlist: true }).extend({
        scopes: scopeList(scopes.customerToken),
      }),
    };
  }
  return {
    PostBankApplication: PostBankApplication.extend({ expires_at: DateTime }),
    PostOrganizationApplication: PostOrganizationApplication.extend({ expires_at: DateTime }),
    PostUser,
    PatchUser,
    PostCustomerToken,
  };
}
export type ContractRequestSchemas = ReturnType<typeof requestSchemasOf>;

export const REQUEST_SCHEMAS_OF_CONTRACT: Readonly<Record<IdpContract, ContractRequestSchemas>> = {
  '0.129.1425': requestSchemasOf('0.129.1425'),
  '0.129.899': requestSchemasOf('0.129.899'),
};

export const ListQuery = z.object({
  page: z.number().int().min(0).optional(),
  per_page: z.number().int().min(1).max(100).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const TokenRequest = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  /** Space-separated scopes. */
  scope: z.string().optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

// ---- responses --------------------------------------------------------------------------------------------

export const Application = z.looseObject({
  name: z.string(),
  client_id: z.string(),
  scopes: z.array(z.string()),
  ip_allowlist: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string().optional(),
  /** Since v0.129.1242 (exactly 32 characters); absent from v0.129.899 answers. */
  guid: z.string().length(32).optional(),
  /** Since v0.129.1229; null = never expires; absent from v0.129.899 answers. */
  expires_at: DateTime.nullable().optional(),
});
export type Application = z.infer<typeof Application>;

export const ApplicationWithSecret = Application.extend({ secret: z.string() });
export type ApplicationWithSecret = z.infer<typeof ApplicationWithSecret>;

export const User = z.looseObject({
  guid: z.string(),
  username: z.string().optional(),
  email: z.string(),
  allowed_scopes: z.array(z.string()).nullable().optional(),
  invite_url: z.string().nullable().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type User = z.infer<typeof User>;

const listOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    total: z.number().int().min(0),
    page: z.number().int().min(0),
    per_page: z.number().int().min(1),
    objects: z.array(item),
  });

export const ApplicationList = listOf(Application);
export type ApplicationList = z.infer<typeof ApplicationList>;
export const UserList = listOf(User);
export type UserList = z.infer<typeof UserList>;

export const CustomerToken = z.looseObject({ access_token: z.string() });
export type CustomerToken = z.infer<typeof CustomerToken>;

export const TokenResponse = z.looseObject({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  /** Space-separated granted scopes. */
  scope: z.string(),
  /** Epoch seconds; some clients type it as a string, so accept both. */
  created_at: z.coerce.number(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const ErrorResponse = z.looseObject({
  status: z.number().int(),
  error_message: z.string(),
  message_code: z.string(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** Error of /oauth/token: the IdP does not document its shape, so we read the OAuth2 one (RFC 6749). */
export const OAuthError = z.looseObject({ error: z.string(), error_description: z.string().optional() });
export type OAuthError = z.infer<typeof OAuthError>;
