/**
 * `provisioner sandbox portal-token --url URL` (hidden): prints the token of a person signed in to the
 * sandbox's Partner Portal as {"access_token", "token_type", "expires_in"}. It is the write token command
 * `provisioner dev` hands its worker (CYBRID_IDP_WRITE_TOKEN_COMMAND), so no curl is needed.
 */
import { Command } from 'commander';
import { z } from 'zod';
import { CliError, printJson } from '../output.js';

const PortalToken = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
});

/** What the sandbox answers at POST /__sandbox/portal-token; errors name the status, never the body. */
export async function fetchPortalToken(sandboxUrl: string): Promise<z.infer<typeof PortalToken>> {
  const url = new URL('/__sandbox/portal-token', sandboxUrl);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err as Error).name;
    throw new CliError(`the sandbox at ${url.origin} did not answer POST ${url.pathname} (${reason})`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  const token = PortalToken.safeParse(body);
  if (!response.ok || !token.success) {
    throw new CliError(
      `the sandbox at ${url.origin} answered POST ${url.pathname} with ${response.status}` +
        (response.ok ? ', not a token' : ''),
    );
  }
  return token.data;
}

export function portalTokenCommand(): Command {
  return new Command('portal-token')
    .description(
      'print a Partner Portal token of the sandbox at --url: {"access_token", "token_type", "expires_in"}',
    )
    .requiredOption('--url <url>', 'the sandbox, e.g. http://127.0.0.1:8900')
    .action(async (flags: { url: string }) => {
      const { access_token, token_type, expires_in } = await fetchPortalToken(flags.url);
      printJson({ access_token, token_type, expires_in });
    });
}
