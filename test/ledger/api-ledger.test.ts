/** The ledger's tables of the HTTP API and the webhooks, run against each backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerBackends, openTestLedger } from '../support/stores.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

for (const backend of ledgerBackends) {
  describe(`ledger, API and webhooks: ${backend.name}`, () => {
    it('keeps API keys, revokes them once, and lists them oldest first', async (t) => {
      const ledger = await openTestLedger(t, backend);
      const key = (keyId: string, createdAt: string) => ({
        keyId,
        name: `name ${keyId}`,
        permissions: ['onboard', 'read'],
        secretSha256: 'ab'.repeat(32),
        createdAt,
      });
      await ledger.createApiKey(key('k2', at(2)));
      await ledger.createApiKey(key('k1', at(1)));
      assert.equal(await ledger.revokeApiKey('k1', at(3)), true);
      assert.equal(await ledger.revokeApiKey('k1', at(4)), true, 'revoking again is fine');
      assert.equal(await ledger.revokeApiKey('nope', at(4)), false);
      assert.deepEqual(await ledger.apiKey('k1'), { ...key('k1', at(1)), revokedAt: at(3) });
      assert.deepEqual(
        (await ledger.apiKeys()).map((k) => [k.keyId, k.revokedAt]),
        [
          ['k1', at(3)],
          ['k2', null],
        ],
      );
      assert.equal(await ledger.apiKey('nope'), undefined);
    });

    it('keeps webhook subscriptions until removed', async (t) => {
      const ledger = await openTestLedger(t, backend);
      const subscription = {
        id: 'wh_1',
        url: 'https://receiver.example/hook',
        events: ['bank.onboarded', 'bank.offboarded'],
        secretRef: 'local:webhooks/wh_1/signing-secret',
        createdAt: at(1),
      };
      await ledger.addWebhookSubscription(subscription);
      await ledger.addWebhookSubscription({ ...subscription, id: 'wh_2', events: ['*'], createdAt: at(2) });
      assert.deepEqual(await ledger.webhookSubscription('wh_1'), subscription);
      assert.deepEqual(
        (await ledger.webhookSubscriptions()).map((s) => s.id),
        ['wh_1', 'wh_2'],
      );
      assert.deepEqual(await ledger.removeWebhookSubscription('wh_1'), subscription);
      assert.equal(await ledger.removeWebhookSubscription('wh_1'), undefined);
      assert.deepEqual(
        (await ledger.webhookSubscriptions()).map((s) => s.id),
        ['wh_2'],
      );
    });

    it('reserves an idempotency key for exactly one of many concurrent requests, then answers the rest', async (t) => {
      const ledger = await openTestLedger(t, backend);
      const reservations = await Promise.all(
        Array.from({ length: 20 }, () => ledger.reserveIdempotencyKey('key:a', 'k', 'digest', at(10), at(0))),
      );
      assert.equal(reservations.filter((r) => r.reserved).length, 1);
      const answer = { status: 202, body: '{"operationId":"x"}', location: '/v1/operations/x' };
      await ledger.completeIdempotencyKey('key:a', 'k', answer);
      assert.deepEqual(await ledger.reserveIdempotencyKey('key:a', 'k', 'digest', at(11), at(0)), {
        reserved: false,
        record: { requestDigest: 'digest', reservedAt: at(10), response: answer },
      });
      const other = await ledger.reserveIdempotencyKey('key:a', 'k', 'another digest', at(11), at(0));
      assert.equal(other.reserved === false && other.record.requestDigest, 'digest');
      assert.equal(
        (await ledger.reserveIdempotencyKey('key:b', 'k', 'another digest', at(11), at(0))).reserved,
        true,
        'keys belong to their caller',
      );
    });

    it('gives a released key to the next request, and a stale reservation to one of those taking it over', async (t) => {
      const ledger = await openTestLedger(t, backend);
      assert.deepEqual(await ledger.reserveIdempotencyKey('p', 'k', 'd', at(10), at(0)), {
        reserved: true,
        takenOver: false,
      });
      await ledger.releaseIdempotencyKey('p', 'k');
      assert.equal((await ledger.reserveIdempotencyKey('p', 'k', 'd2', at(11), at(0))).reserved, true);
      // Not stale yet: wait. Stale (reserved before staleBefore): one of two takes it over.
      assert.equal((await ledger.reserveIdempotencyKey('p', 'k', 'd2', at(12), at(5))).reserved, false);
      const takeovers = await Promise.all([
        ledger.reserveIdempotencyKey('p', 'k', 'd2', at(40), at(30)),
        ledger.reserveIdempotencyKey('p', 'k', 'd2', at(40), at(30)),
      ]);
      assert.equal(takeovers.filter((r) => r.reserved && r.takenOver).length, 1);
      assert.equal(takeovers.filter((r) => r.reserved).length, 1);
      assert.equal(await ledger.pruneIdempotencyKeys(at(41)), 1);
      assert.equal((await ledger.reserveIdempotencyKey('p', 'k', 'd3', at(50), at(0))).reserved, true);
    });
  });
}
