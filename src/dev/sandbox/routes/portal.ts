/**
 * The Partner Portal, in the sandbox: where a person makes the writes API keys may no longer make
 * (v0.129.1209+). Plain server-rendered HTML and form posts, no script but the copy button. A person lists a
 * bank's API keys and the organization's users, creates a bank API key (its secret shown once), deletes one,
 * invites a user with scopes and disables one. Like every sandbox control endpoint it asks for no sign-in:
 * the sandbox is a local test tool. Its look and flow are ours (the real Portal's Developers and Teams tabs
 * are only described in prose).
 */
import type { FastifyBodyParser, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { Email, Guid } from '../../../model/idp-schemas.js';
import { parseOrThrow } from '../../../model/validation.js';
import type { StoredApplication } from '../application-store.js';
import type { SandboxContext } from '../context.js';
import { notFound, SandboxError } from '../http-errors.js';
import type { StoredUser } from '../user-store.js';
import { parseBody } from '../validation.js';
import { insertApplication } from './applications.js';
import { disableUser, insertUser } from './users.js';

/** What the page lists at most (the first page of each; a local tool). */
const SHOWN = 100;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Entries separated by commas, spaces or new lines. */
const entries = (text: string | undefined) => (text ?? '').split(/[\s,]+/).filter(Boolean);

const parseForm: FastifyBodyParser<string> = (_request, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body)));
};

const BankQuery = z.object({ bank_guid: Guid.optional().or(z.literal('').transform(() => undefined)) });

const NewKeyForm = z.object({
  name: z.string(),
  ip_allowlist: z.string().optional(),
  /** yyyy-mm-dd from a date input: the key expires at the start of that day, UTC. */
  expires_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (yyyy-mm-dd)'),
});

const InviteForm = z.object({ email: Email, allowed_scopes: z.string().optional() });

interface Notice {
  /** The new key, with its secret: shown on this one answer only. */
  created?: { app: StoredApplication; secret: string };
  error?: string;
}

function page(ctx: SandboxContext, bankGuid: string | undefined, notice: Notice = {}): string {
  const keys = bankGuid ? ctx.applications.list({ kind: 'bank', bankGuid }, 0, SHOWN) : undefined;
  const users = ctx.users.list(0, SHOWN);
  const bankQuery = bankGuid ? `?bank_guid=${bankGuid}` : '';
  const keyRow = (app: StoredApplication) => `<tr data-client-id="${app.clientId}">
      <td>${escape(app.name)}</td><td><code>${app.clientId}</code></td><td><code>${app.guid}</code></td>
      <td>${escape(app.ipAllowlist.join(', ') || 'any')}</td><td>${app.expiresAt ?? 'never'}</td>
      <td><form method="post" action="/portal/banks/${app.bankGuid}/api-keys/${app.clientId}/delete">
        <button type="submit">Delete</button></form></td></tr>`;
  const userRow = (user: StoredUser) => `<tr data-user-guid="${user.guid}">
      <td>${escape(user.email)}</td><td><code>${user.guid}</code></td>
      <td>${escape((user.allowedScopes ?? []).join(' ') || 'default')}</td>
      <td>${user.disabledAt ? `disabled ${user.disabledAt}` : 'active'}</td>
      <td>${user.disabledAt ? '' : `<form method="post" action="/portal/users/${user.guid}/disable${bankQuery}"><button type="submit">Disable</button></form>`}</td></tr>`;
  const created = notice.created
    ? `<section id="new-key" role="status">
      <h2>API key created</h2>
      <p>Copy the secret now: it is shown this once and never again.</p>
      <p>Client id <code id="new-client-id">${notice.created.app.clientId}</code></p>
      <p>Secret <code id="new-secret">${escape(notice.created.secret)}</code>
        <button type="button" id="copy-secret"
          onclick="navigator.clipboard.writeText(document.getElementById('new-secret').textContent)">Copy</button></p>
    </section>`
    : '';
  const error = notice.error ? `<p id="error" role="alert">${escape(notice.error)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner Portal (sandbox)</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}section{margin:1.5em 0}#error{color:#b00}#new-key{background:#efe;padding:.5em 1em}</style>
</head><body>
<h1>Partner Portal (sandbox)</h1>
<p>Organization <code>${ctx.organizationGuid}</code>, IdP contract ${ctx.contract}.</p>
${error}${created}
<form method="get" action="/portal"><label>Bank guid <input name="bank_guid" value="${bankGuid ?? ''}" size="34"></label>
<button type="submit">Open bank</button></form>
${
  bankGuid && keys
    ? `<section id="api-keys"><h2>API keys of bank <code>${bankGuid}</code> (${keys.total})</h2>
<table><thead><tr><th>Name</th><th>Client id</th><th>Guid</th><th>IP allowlist</th><th>Expires</th><th></th></tr></thead>
<tbody>${keys.items.map(keyRow).join('')}</tbody></table>
<h3>Create an API key</h3>
<form method="post" action="/portal/banks/${bankGuid}/api-keys">
<label>Name <input name="name" required maxlength="128"></label>
<label>IP allowlist <input name="ip_allowlist" placeholder="8.8.8.0/24, 1.1.1.1"></label>
<label>Expires on <input type="date" name="expires_on" required></label>
<button type="submit">Create API key</button></form></section>`
    : ''
}
<section id="users"><h2>Users (${users.total})</h2>
<table><thead><tr><th>Email</th><th>Guid</th><th>Scopes</th><th>State</th><th></th></tr></thead>
<tbody>${users.items.map(userRow).join('')}</tbody></table>
<h3>Invite a user</h3>
<form method="post" action="/portal/users${bankQuery}">
<label>Email <input name="email" type="email" required></label>
<label>Scopes <input name="allowed_scopes" size="60" placeholder="banks:read users:read"></label>
<button type="submit">Invite</button></form></section>
</body></html>`;
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body);

export function portalRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parseForm);

  const bankOf = (query: unknown) =>
    parseOrThrow(
      BankQuery,
      query ?? {},
      (problems) => new SandboxError(400, 'invalid_parameter', problems),
      'query',
    ).bank_guid;
  /** Runs a form's write; a refusal is shown on the page (with its status) instead of the IdP's JSON. */
  const attempt = (reply: FastifyReply, bankGuid: string | undefined, write: () => Notice | undefined) => {
    try {
      const notice = write();
      if (notice) return html(reply, 201, page(ctx, bankGuid, notice));
      return reply.redirect(`/portal${bankGuid ? `?bank_guid=${bankGuid}` : ''}`, 303);
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      return html(reply, err.status, page(ctx, bankGuid, { error: err.message }));
    }
  };

  app.get('/portal', (request, reply) => html(reply, 200, page(ctx, bankOf(request.query))));

  app.post<{ Params: { bank_guid: string } }>('/portal/banks/:bank_guid/api-keys', (request, reply) => {
    const bankGuid = bankOf({ bank_guid: request.params.bank_guid });
    return attempt(reply, bankGuid, () => {
      const form = parseBody(NewKeyForm, request.body);
      const body = parseBody(ctx.behaviour.requests.PostBankApplication, {
        name: form.name,
        bank_guid: bankGuid,
        ip_allowlist: entries(form.ip_allowlist),
        expires_at: `${form.expires_on}T00:00:00.000Z`,
      });
      return {
        created: insertApplication(ctx, {
          kind: 'bank',
          bankGuid: bankGuid ?? null,
          name: body.name,
          ipAllowlist: body.ip_allowlist ?? [],
          expiresAt: body.expires_at,
        }),
      };
    });
  });

  app.post<{ Params: { bank_guid: string; client_id: string } }>(
    '/portal/banks/:bank_guid/api-keys/:client_id/delete',
    (request, reply) => {
      const bankGuid = bankOf({ bank_guid: request.params.bank_guid });
      return attempt(reply, bankGuid, () => {
        const found = ctx.applications.find(request.params.client_id, { kind: 'bank', bankGuid });
        if (!found) throw notFound('application');
        ctx.applications.delete(found.clientId);
        return undefined;
      });
    },
  );

  app.post('/portal/users', (request, reply) => {
    const bankGuid = bankOf(request.query);
    return attempt(reply, bankGuid, () => {
      const form = parseBody(InviteForm, request.body);
      const scopes = entries(form.allowed_scopes);
      const body = parseBody(ctx.behaviour.requests.PostUser, {
        email: form.email,
        allowed_scopes: scopes.length > 0 ? scopes : null,
      });
      insertUser(ctx, body.email, body.allowed_scopes ?? null);
      return undefined;
    });
  });

  app.post<{ Params: { user_guid: string } }>('/portal/users/:user_guid/disable', (request, reply) => {
    const bankGuid = bankOf(request.query);
    return attempt(reply, bankGuid, () => {
      const user = ctx.users.get(request.params.user_guid);
      if (!user) throw notFound('user');
      disableUser(ctx, user);
      return undefined;
    });
  });
}
