/**
 * The typed Cybrid IdP client: one method per endpoint, requests validated with the
 * request schemas before anything is sent, responses parsed with the response schemas, errors classified
 * by errors.ts. Every method takes `{ signal }` last so a cancelled activity cancels its HTTP call.
 */
import { z } from 'zod';
import { applicationExpiry, applicationExpiryProblem, DEFAULT_KEY_LIFETIME } from './application-expiry.js';
import { invalidRequest, scopesDropped, writeNotPermitted } from './errors.js';
import { paginate, PAGE_SIZE } from './paginate.js';
import {
  Application,
  ApplicationList,
  ApplicationWithSecret,
  CustomerToken,
  ListQuery,
  PatchApplication,
  PatchUser,
  PostBankApplication,
  PostCustomerToken,
  PostOrganizationApplication,
  PostUser,
  User,
  UserList,
} from '../model/idp-schemas.js';
import { durationMs } from '../model/workflow-safe/durations.js';
import { parseOrThrow } from '../model/validation.js';
import type { RequestPacer } from './pacer.js';
import { judgeGrant, type IdpOperation, type WriteAccess } from './permissions.js';
import { TokenCache } from './token-cache.js';
import { requestToken, type AccessToken, type ClientCredentials } from './token.js';
import { createTransport, type HttpRequest, type Transport } from './transport.js';

export type { AccessToken, ClientCredentials } from './token.js';

export interface IdpClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** Per request, including reading the response body. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** A cached token is replaced this long before it expires. Default 60 s. */
  tokenRefreshMarginMs?: number;
  /** Spaces requests to keep within the IdP's rate limit; none when absent. */
  pacer?: RequestPacer;
  /** The expiry of a new application when the caller asks for none, from now. Default 90 days. */
  keyLifetimeMs?: number;
  /**
   * A token that may write, for the writes whose scope the IdP dropped from the API key's grant (every IdP
   * since v0.129.1209); fetched again before it expires and after a 401. Without it such a write is refused
   * with IdpWriteNotPermitted.
   */
  writeTokenSource?: () => Promise<AccessToken>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** What a one-off credential exchange proves; the token itself is deliberately not returned. */
export interface CredentialCheck {
  grantedScopes: string[];
  expiresAt: Date;
}

const Page = { page: ListQuery.shape.page, perPage: ListQuery.shape.per_page };
const PageQuery = z.object(Page);
export type PageQuery = z.infer<typeof PageQuery>;
const BankApplicationQuery = z.object({ ...Page, bankGuid: z.string().min(1).optional() });
export type BankApplicationQuery = z.infer<typeof BankApplicationQuery>;
const UserQuery = z.object({
  ...Page,
  guids: z
    .array(
      z
        .string()
        .min(1)
        .regex(/^[^,]*$/, 'must not contain a comma'),
    )
    .min(1)
    .optional(),
});
export type UserQuery = z.infer<typeof UserQuery>;
/** Path ids are plain strings upstream; empty would address the collection instead. */
const PathId = z.string().min(1);

/**
 * The id to address an application by in a `{client_id}` path: its guid where the IdP gave one (IdPs since
 * v0.129.1242 accept either), else its client id.
 */
export const applicationPathId = (app: Pick<Application, 'client_id' | 'guid'>): string =>
  app.guid ?? app.client_id;

function validate<T>(operation: string, schema: z.ZodType<T>, value: unknown): T {
  return parseOrThrow(schema, value, (problems) => invalidRequest(operation, problems));
}

/** The path of one resource, its id checked first and named in the error (e.g. "userGuid: Too small ..."). */
function resource(
  operation: string,
  collection: string,
  idName: 'clientId' | 'userGuid',
  id: string,
): string {
  validate(operation, z.object({ [idName]: PathId }), { [idName]: id });
  return `${collection}/${encodeURIComponent(id)}`;
}

export function createIdpClient(options: IdpClientOptions) {
  const transport = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    fetch: options.fetch,
    pace: options.pacer && ((signal) => options.pacer!.take(signal)),
  });
  const credentials: ClientCredentials = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: [...options.scopes],
  };
  const refreshMarginMs = options.tokenRefreshMarginMs ?? 60_000;
  const keyLifetimeMs = options.keyLifetimeMs ?? durationMs(DEFAULT_KEY_LIFETIME);
  // Shared by every waiting call, so it is named after the token, not after one of them. What it grants is
  // judged per operation (judgeGrant): a grant without the write scopes still reads.
  const tokens = new TokenCache(
    () => requestToken(transport.anonymous, 'token', credentials),
    refreshMarginMs,
  );
  const writeTokens = options.writeTokenSource && new TokenCache(options.writeTokenSource, refreshMarginMs);
  /** Bearer tokens from `cache`, starting with `first` when the caller holds it already. */
  const bearer = (cache: TokenCache, first?: AccessToken) =>
    transport.withBearer({
      get: async (signal) => {
        const token = first ?? (await cache.get(signal));
        first = undefined; // after a 401, the cache's next token
        return token.accessToken;
      },
      refused: (accessToken) => cache.invalidate(accessToken),
    });

  /** Which token sends `operation`: the API key's, when its grant allows; else the write token, if any. */
  async function senderFor(operation: IdpOperation, signal: AbortSignal | undefined): Promise<Transport> {
    const token = await tokens.get(signal);
    const verdict = judgeGrant(operation, credentials.scopes, token);
    switch (verdict.kind) {
      case 'send':
        return bearer(tokens, token);
      case 'write-elsewhere':
        if (writeTokens) return bearer(writeTokens);
        throw writeNotPermitted(operation, verdict.scope);
      case 'read-dropped':
        throw scopesDropped(operation, [verdict.scope]);
    }
  }

  type OperationRequest = HttpRequest & { operation: IdpOperation };
  const call = async <T>(request: OperationRequest, schema: z.ZodType<T>, { signal }: CallOptions = {}) =>
    (await senderFor(request.operation, signal))(request, schema, signal);
  const callNoContent = async (request: OperationRequest, { signal }: CallOptions = {}) =>
    (await senderFor(request.operation, signal))(request, null, signal);

  /** `expires_at` of a new application: the caller's or the default lifetime's, refused when out of bounds. */
  function withExpiry<Post extends { expires_at?: string }>(operation: string, body: Post): Post {
    const now = Date.now();
    const expires_at = applicationExpiry(body.expires_at, now, keyLifetimeMs);
    const problem = applicationExpiryProblem(expires_at, now);
    if (problem) throw invalidRequest(operation, `expires_at: ${problem}`);
    return { ...body, expires_at };
  }

  /** Create, get, update and delete of one application kind: they differ only in path, names and create body. */
  function applications<Post extends { expires_at?: string }>(
    kind: 'Bank' | 'Organization',
    postSchema: z.ZodType<Post>,
  ) {
    const collection = kind === 'Bank' ? 'api/bank_applications' : 'api/organization_applications';
    return {
      /** Sends `expires_at` always: the one asked for, else the key lifetime from now. */
      create: async (body: Post, opts?: CallOptions) => {
        const operation = `create${kind}Application` as const;
        const json = withExpiry(operation, validate(operation, postSchema, body));
        return call({ operation, method: 'post', path: collection, json }, ApplicationWithSecret, opts);
      },
      /** `clientId` may be the application's guid on IdPs since v0.129.1242 (see applicationPathId). */
      get: async (clientId: string, opts?: CallOptions) => {
        const operation = `get${kind}Application` as const;
        const path = resource(operation, collection, 'clientId', clientId);
        return call({ operation, method: 'get', path }, Application, opts);
      },
      update: async (clientId: string, body: PatchApplication, opts?: CallOptions) => {
        const operation = `update${kind}Application` as const;
        const path = resource(operation, collection, 'clientId', clientId);
        const json = validate(operation, PatchApplication, body);
        return call({ operation, method: 'patch', path, json }, Application, opts);
      },
      delete: async (clientId: string, opts?: CallOptions) => {
        const operation = `delete${kind}Application` as const;
        const path = resource(operation, collection, 'clientId', clientId);
        return callNoContent({ operation, method: 'delete', path }, opts);
      },
    };
  }
  const bankApps = applications('Bank', PostBankApplication);
  const orgApps = applications('Organization', PostOrganizationApplication);

  async function listBankApplications(query: BankApplicationQuery = {}, opts?: CallOptions) {
    const operation = 'listBankApplications' as const;
    const { bankGuid, page, perPage } = validate(operation, BankApplicationQuery, query);
    const searchParams = { bank_guid: bankGuid, page, per_page: perPage };
    return call(
      { operation, method: 'get', path: 'api/bank_applications', searchParams },
      ApplicationList,
      opts,
    );
  }

  async function listOrganizationApplications(query: PageQuery = {}, opts?: CallOptions) {
    const operation = 'listOrganizationApplications' as const;
    const { page, perPage } = validate(operation, PageQuery, query);
    const searchParams = { page, per_page: perPage };
    return call(
      { operation, method: 'get', path: 'api/organization_applications', searchParams },
      ApplicationList,
      opts,
    );
  }

  async function listUsers(query: UserQuery = {}, opts?: CallOptions) {
    const operation = 'listUsers' as const;
    const { guids, page, perPage } = validate(operation, UserQuery, query);
    const searchParams = { guid: guids?.join(','), page, per_page: perPage };
    return call({ operation, method: 'get', path: 'api/users', searchParams }, UserList, opts);
  }

  async function createUser(body: PostUser, opts?: CallOptions) {
    const json = validate('createUser', PostUser, body);
    return call({ operation: 'createUser', method: 'post', path: 'api/users', json }, User, opts);
  }

  async function getUser(userGuid: string, opts?: CallOptions) {
    const path = resource('getUser', 'api/users', 'userGuid', userGuid);
    return call({ operation: 'getUser', method: 'get', path }, User, opts);
  }

  async function updateUser(userGuid: string, body: PatchUser, opts?: CallOptions) {
    const path = resource('updateUser', 'api/users', 'userGuid', userGuid);
    const json = validate('updateUser', PatchUser, body);
    return call({ operation: 'updateUser', method: 'patch', path, json }, User, opts);
  }

  /** The IdP keeps a disabled user's record. */
  async function disableUser(userGuid: string, opts?: CallOptions) {
    const path = resource('disableUser', 'api/users', 'userGuid', userGuid);
    return callNoContent({ operation: 'disableUser', method: 'delete', path }, opts);
  }

  /** Needs a bank token: an organization token gets 401 `invalid_subject`. */
  async function createCustomerToken(body: PostCustomerToken, opts?: CallOptions) {
    const json = validate('createCustomerToken', PostCustomerToken, body);
    const request = {
      operation: 'createCustomerToken',
      method: 'post',
      path: 'api/customer_tokens',
      json,
    } as const;
    return call(request, CustomerToken, opts);
  }

  return {
    listBankApplications,
    createBankApplication: bankApps.create,
    getBankApplication: bankApps.get,
    updateBankApplication: bankApps.update,
    deleteBankApplication: bankApps.delete,
    /** Every application of the bank (or of all banks the token sees), page after page. */
    listAllBankApplications: (
      query: Omit<BankApplicationQuery, 'page' | 'perPage'> = {},
      opts?: CallOptions,
    ) => paginate((page) => listBankApplications({ ...query, page, perPage: PAGE_SIZE }, opts)),

    listOrganizationApplications,
    createOrganizationApplication: orgApps.create,
    getOrganizationApplication: orgApps.get,
    updateOrganizationApplication: orgApps.update,
    deleteOrganizationApplication: orgApps.delete,
    listAllOrganizationApplications: (opts?: CallOptions) =>
      paginate((page) => listOrganizationApplications({ page, perPage: PAGE_SIZE }, opts)),

    listUsers,
    createUser,
    getUser,
    updateUser,
    disableUser,
    listAllUsers: (query: Omit<UserQuery, 'page' | 'perPage'> = {}, opts?: CallOptions) =>
      paginate((page) => listUsers({ ...query, page, perPage: PAGE_SIZE }, opts)),

    createCustomerToken,

    /** What the worker holds to make `operation` (a write): its API key's grant, the write token source, or nothing. */
    async writeAccess(operation: IdpOperation, opts: CallOptions = {}): Promise<WriteAccess> {
      const verdict = judgeGrant(operation, credentials.scopes, await tokens.get(opts.signal));
      if (verdict.kind === 'send') return 'api-key';
      return verdict.kind === 'write-elsewhere' && writeTokens ? 'write-token' : 'none';
    },

    /** The access token the client currently uses (fetched when none is fresh). */
    token: (opts: CallOptions = {}): Promise<AccessToken> => tokens.get(opts.signal),

    /**
     * A one-off token request, to verify a credential: returns what was granted, never the token, and
     * does not touch the cache. Scopes the IdP dropped are the caller's to judge (see `grantedScopes`).
     */
    async exchangeClientCredentials(
      check: ClientCredentials,
      opts: CallOptions = {},
    ): Promise<CredentialCheck> {
      const { grantedScopes, expiresAt } = await requestToken(
        transport.anonymous,
        'exchangeClientCredentials',
        check,
        opts.signal,
      );
      return { grantedScopes, expiresAt };
    },
  };
}

export type IdpClient = ReturnType<typeof createIdpClient>;
