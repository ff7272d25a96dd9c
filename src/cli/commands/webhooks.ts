/** `provisioner webhook add|list|remove`: the receivers of the operations' events. */
import type { Command } from 'commander';
import { z } from 'zod';
import { parseEnv, StateEnv } from '../../config.js';
import { openSecretStore } from '../../dependencies.js';
import type { WebhookSubscription } from '../../ledger/index.js';
import { parseOrThrow } from '../../model/validation.js';
import { WEBHOOK_EVENT_TYPES } from '../../model/workflow-safe/webhook-events.js';
import {
  addWebhookSubscription,
  removeWebhookSubscription,
  WebhookEvents,
  WebhookUrl,
} from '../../webhooks/subscriptions.js';
import { CliError, printJson, printLine } from '../output.js';
import { withLedger } from './api-keys.js';

const AddInput = z.object({ url: WebhookUrl, events: WebhookEvents });

const publicView = ({ secretRef: _ref, ...subscription }: WebhookSubscription) => subscription;

async function withStores<T>(run: (stores: Parameters<typeof addWebhookSubscription>[0]) => Promise<T>) {
  const secrets = await openSecretStore(parseEnv(StateEnv));
  try {
    return await withLedger((ledger) => run({ ledger, secrets }));
  } finally {
    await secrets.close();
  }
}

export function registerWebhooks(program: Command): void {
  const webhooks = program.command('webhook').description('manage the receivers of webhook events');
  webhooks
    .command('add')
    .description('add a receiver; prints its signing secret once')
    .argument('<url>', 'where events are POSTed (https:// in production)')
    .option(
      '--events <types>',
      `comma-separated event types (default every one): ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    )
    .option('--json', 'print one JSON document on stdout')
    .action(async (url: string, flags: { events?: string; json?: boolean }) => {
      const input = parseOrThrow(
        AddInput,
        { url, events: flags.events?.split(',').map((e) => e.trim()) },
        (problems) => new CliError(problems),
      );
      const { subscription, secret } = await withStores((stores) => addWebhookSubscription(stores, input));
      if (flags.json) return printJson({ ...publicView(subscription), secret });
      printLine(
        `added webhook ${subscription.id} → ${subscription.url} for ${subscription.events.join(', ')}`,
      );
      printLine(secret);
      printLine('This is the only time the signing secret is shown.');
    });
  webhooks
    .command('list')
    .description('list the receivers (never their secrets)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { json?: boolean }) => {
      const all = await withLedger((ledger) => ledger.webhookSubscriptions());
      if (flags.json) return printJson(all.map(publicView));
      if (all.length === 0) printLine('no webhooks');
      for (const s of all) printLine(`${s.id}  ${s.url}  ${s.events.join(',')}  created ${s.createdAt}`);
    });
  webhooks
    .command('remove')
    .description(
      'remove a receiver and revoke its signing secret; events not yet delivered to it are dropped',
    )
    .argument('<id>', 'the webhook id (from add or list)')
    .action(async (id: string) => {
      const removed = await withStores((stores) => removeWebhookSubscription(stores, id));
      if (!removed) throw new CliError(`no webhook ${id}`);
      printLine(`removed webhook ${id}`);
    });
}
