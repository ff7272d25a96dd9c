/**
 * The human reference page (`GET /docs`): the OpenAPI document rendered as one self-contained HTML page (no
 * scripts, nothing fetched from elsewhere), with a section per problem type (the problems' `type` links here).
 */
import { PROBLEM_TYPES, type ProblemName } from './problems.js';
import type { ApiRoute } from './route.js';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
/** Backticks in descriptions become code. */
const prose = (text: string) => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
const json = (value: unknown) => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

type Document = {
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  webhooks: Record<
    string,
    { post: { description: string; requestBody: { content: Record<string, { schema: unknown }> } } }
  >;
};

export function referencePage(document: Record<string, unknown>, routes: ApiRoute[]): string {
  const doc = document as Document;
  const operations = routes.map((route) => {
    const op = doc.paths[route.path]![route.method.toLowerCase()]!;
    const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content[
      'application/json'
    ]?.schema;
    const responses = op.responses as Record<
      string,
      { description: string; content?: Record<string, { schema: unknown }> }
    >;
    return `<section id="op-${route.operationId}">
<h3><code>${route.method} ${escape(route.path)}</code> — ${escape(route.summary)}</h3>
<p>${prose(route.description)}</p>
<p>Permission <code>${route.permission}</code>${route.idempotent ? '; <code>Idempotency-Key</code> header required' : ''}.</p>
${body ? `<details><summary>Request body</summary>${json(body)}</details>` : ''}
<ul>${Object.entries(responses)
      .map(([status, r]) => `<li><code>${status}</code> ${prose(r.description)}</li>`)
      .join('')}</ul>
<details><summary>Response ${route.success.status}</summary>${json(responses[String(route.success.status)]?.content?.['application/json']?.schema)}</details>
</section>`;
  });
  const problems = (Object.keys(PROBLEM_TYPES) as ProblemName[]).map((name) => {
    const p = PROBLEM_TYPES[name];
    return `<dt id="problem-${name}"><code>${name}</code> (${p.status}) ${escape(p.title)}</dt><dd>${prose(p.about)}</dd>`;
  });
  const events = Object.entries(doc.webhooks).map(
    ([type, { post }]) =>
      `<dt id="event-${type}"><code>${type}</code></dt><dd>${prose(post.description.split('\n')[0]!)}<details><summary>Body</summary>${json(post.requestBody.content['application/json']?.schema)}</details></dd>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)} API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f4f4f4;border-radius:3px}pre{padding:.5rem;overflow:auto}section{border-top:1px solid #ddd}dt{margin-top:1rem}</style>
</head><body>
<h1>${escape(doc.info.title)} API <small>${escape(doc.info.version)}</small></h1>
<p>${prose(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<h2>Authentication</h2>
<p><code>Authorization: Bearer &lt;key&gt;</code> with an API key from <code>provisioner api-key create --name NAME --allow PERMISSION,...</code>, or a JWT of the organization's identity provider (when configured) whose <code>scope</code> claim grants <code>provisioner:&lt;permission&gt;</code>. Permissions: <code>onboard</code>, <code>rotate</code>, <code>revoke</code>, <code>offboard</code>, <code>disable-users</code>, <code>read</code>, <code>tasks</code>.</p>
<h2>Operations</h2>
${operations.join('\n')}
<h2>Problems</h2>
<p>Errors are <code>application/problem+json</code> (RFC 9457); <code>type</code> links to one of these.</p>
<dl>${problems.join('\n')}</dl>
<h2>Webhook events</h2>
<p>Configured by the operator (<code>provisioner webhook add URL</code>). Each delivery carries <code>webhook-id</code> (the event's id, the same on every retry), <code>webhook-timestamp</code> and <code>webhook-signature</code> (<code>v1,</code> + base64 HMAC-SHA256 over <code>id.timestamp.body</code> with the secret after <code>whsec_</code>, base64-decoded).</p>
<dl>${events.join('\n')}</dl>
</body></html>
`;
}
