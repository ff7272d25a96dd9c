/** A webhook receiver subscribed to a test world's events: it keeps every body as sent and answers 204. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addWebhookSubscription } from '../../src/webhooks/subscriptions.js';
import type { TestWorld } from './env.js';

export interface WebhookReceiver {
  /** The bodies received so far, in order. */
  bodies: string[];
  close(): Promise<void>;
}

export async function subscribedReceiver(world: TestWorld): Promise<WebhookReceiver> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await addWebhookSubscription(
    { ledger: world.deps.ledger, secrets: world.deps.secrets },
    { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
  );
  return { bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
