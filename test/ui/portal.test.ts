/**
 * The sandbox's Partner Portal page in a real browser: a person creates a bank API key (its secret shown
 * once), mints a token with it, invites a user with scopes, disables one and deletes the key.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, type RunningSandbox } from '../../src/dev/sandbox/index.js';
import { TokenResponse } from '../../src/model/idp-schemas.js';
import { launchChromium } from '../support/chromium.js';
import { randomGuid } from '../support/env.js';

describe('the sandbox Partner Portal in Chromium', () => {
  let sandbox: RunningSandbox;
  let browser: Browser;
  let page: Page;
  const bankGuid = randomGuid();
  const nextYear = `${new Date().getUTCFullYear() + 1}-06-30`;
  before(async () => {
    sandbox = await startSandbox({ database: ':memory:' });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1200 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sandbox.url });
    page = await context.newPage();
  });
  after(async () => {
    const dir = process.env.PROVISIONER_TEST_ARTIFACTS ?? 'test-artifacts';
    await mkdir(dir, { recursive: true });
    // Kept as a test artifact, pass or fail: what the person saw last.
    await page?.screenshot({ path: join(dir, 'sandbox-portal.png'), fullPage: true });
    await browser?.close();
    await sandbox.close();
  });

  let clientId = '';
  let secret = '';

  it('creates a bank API key; the secret is shown once, with a copy button, and mints a token', async () => {
    await page.goto(`${sandbox.url}/portal`);
    await page.getByLabel('Bank guid').fill(bankGuid);
    await page.getByRole('button', { name: 'Open bank' }).click();
    await page.getByLabel('Name').fill('payments');
    await page.getByLabel('IP allowlist').fill('8.8.8.0/24, 1.1.1.1');
    await page.getByLabel('Expires on').fill(nextYear);
    await page.getByRole('button', { name: 'Create API key' }).click();

    clientId = (await page.locator('#new-client-id').textContent()) ?? '';
    secret = (await page.locator('#new-secret').textContent()) ?? '';
    assert.match(clientId, /^[0-9a-f]{32}$/);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Copy' }).click();
    // A string expression: the tests are typed without the DOM library.
    const copied: unknown = await page.evaluate('navigator.clipboard.readText()');
    assert.equal(copied, secret);

    const row = page.locator(`tr[data-client-id="${clientId}"]`);
    assert.match((await row.textContent()) ?? '', /8\.8\.8\.0\/24, 1\.1\.1\.1/);
    assert.match((await row.textContent()) ?? '', new RegExp(`${nextYear}T00:00:00.000Z`));

    // Opened again, the page lists the key but never its secret.
    await page.goto(`${sandbox.url}/portal?bank_guid=${bankGuid}`);
    assert.equal(await page.locator(`tr[data-client-id="${clientId}"]`).count(), 1);
    assert.equal((await page.content()).includes(secret), false);

    const minted = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    });
    assert.equal(minted.status, 200);
    const granted = TokenResponse.parse(await minted.json()).scope.split(' ');
    assert.ok(granted.includes('banks:read'));
    assert.equal(granted.includes('bank_applications:write'), false, 'an API key of v0.129.1425 only reads');
  });

  it('refuses an expiry in the past on the page, naming the field', async () => {
    await page.getByLabel('Name').fill('expired');
    await page.getByLabel('Expires on').fill('2020-01-01');
    await page.getByRole('button', { name: 'Create API key' }).click();
    assert.match((await page.locator('#error').textContent()) ?? '', /expires_at: must be in the future/);
  });

  it('invites a user with scopes, then disables it', async () => {
    await page.goto(`${sandbox.url}/portal?bank_guid=${bankGuid}`);
    await page.getByLabel('Email').fill('person@example.com');
    await page.getByLabel('Scopes').fill('banks:read users:read');
    await page.getByRole('button', { name: 'Invite' }).click();
    const row = page.locator('tr', { hasText: 'person@example.com' });
    assert.match((await row.textContent()) ?? '', /banks:read users:read\s+active/);
    await row.getByRole('button', { name: 'Disable' }).click();
    assert.match(
      (await page.locator('tr', { hasText: 'person@example.com' }).textContent()) ?? '',
      /disabled/,
    );
  });

  it('deletes the API key, and its credentials stop working', async () => {
    await page.locator(`tr[data-client-id="${clientId}"]`).getByRole('button', { name: 'Delete' }).click();
    assert.equal(await page.locator(`tr[data-client-id="${clientId}"]`).count(), 0);
    const refused = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    });
    assert.equal(refused.status, 401);
  });
});
