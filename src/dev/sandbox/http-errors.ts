/**
 * Errors the sandbox answers with. /api/* errors use the IdP's ErrorResponse body
 * `{status, error_message, message_code}`; /oauth/token errors use the OAuth2 shape
 * `{error, error_description}` (inferred: the IdP does not document it) plus the ErrorResponse fields, so
 * either parser works.
 * Messages never contain secrets or request bodies.
 */
import type { ErrorResponse } from '../../model/idp-schemas.js';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly messageCode: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SandboxError';
  }

  body(): ErrorResponse {
    return errorResponse(this.status, this.messageCode, this.message);
  }
}

export class OAuthTokenError extends SandboxError {
  constructor(status: 400 | 401, error: string, description: string) {
    super(
      status,
      error,
      description,
      status === 401 ? { 'www-authenticate': 'Basic realm="cybrid-sandbox"' } : {},
    );
    this.name = 'OAuthTokenError';
  }

  override body(): ErrorResponse & { error: string; error_description: string } {
    return { error: this.messageCode, error_description: this.message, ...super.body() };
  }
}

export const errorResponse = (status: number, messageCode: string, errorMessage: string): ErrorResponse => ({
  status,
  error_message: errorMessage,
  message_code: messageCode,
});

export const notFound = (what: 'application' | 'user') =>
  new SandboxError(404, 'not_found', `${what} not found`);

/** 422 for a body that fails validation or a semantic check, as the IdP answers. */
export const unprocessable = (message: string) => new SandboxError(422, 'invalid_parameter', message);

/** 400 for query parameters out of range: the IdP's status is unknown; 400 is the platform's style. */
export const badQuery = (message: string) => new SandboxError(400, 'invalid_parameter', message);
