/** The tables of the HTTP API and the webhooks, as Kysely sees them; migration 0002 creates them. */
export interface ApiTables {
  /** API keys: only a SHA-256 digest of each key's secret part is kept. */
  api_keys: {
    key_id: string;
    name: string;
    /** Comma-separated permissions (see model/api-permissions.ts). */
    permissions: string;
    secret_sha256: string;
    created_at: string;
    revoked_at: string | null;
  };
  /** One row per (caller, Idempotency-Key): the request's digest and, once answered, the answer. */
  api_idempotency: {
    principal: string;
    idempotency_key: string;
    request_digest: string;
    /** ISO time the key was first used, or a stale reservation taken over. */
    reserved_at: string;
    /** Null while the first request is still being answered. */
    response_status: number | null;
    response_body: string | null;
    response_location: string | null;
  };
  /** Webhook receivers the operator configured; the signing secret is in the secret store. */
  webhook_subscriptions: {
    id: string;
    url: string;
    /** Comma-separated event types, or `*` for every event. */
    events: string;
    secret_ref: string;
    created_at: string;
  };
}
