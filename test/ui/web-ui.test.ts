import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { createTestWorld, randomGuid, type TestWorld } from '../support/env.js';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('operators: encrypted history, decoded in the Web UI', () => {
  let world: TestWorld;
  let browser: Browser;
  let userData: string;
  before(async () => {
    world = await createTestWorld({ codecKeys: process.env.PROVISIONER_TEST_CODEC_KEYS });
    await world.startWorker();
    userData = await mkdtemp(join(tmpdir(), 'chromium-'));
  });
  after(async () => {
    await browser?.close();
    await world.close();
    await rm(userData, { recursive: true, force: true });
  });

  const email = `ui-${randomGuid().slice(0, 8)}@example.com`;
  const bankGuid = randomGuid();

  it('stores only encrypted payloads: the raw history has no email', async () => {
    const handle = await world.client.startOnboarding({ bankGuid, users: [{ email }] });
    await handle.result();
    const cli = process.env.PROVISIONER_TEST_TEMPORAL_CLI;
    assert.ok(cli, 'run the tests through npm test (test/run.ts provides the Temporal CLI)');
    const { stdout } = await run(
      cli,
      [
        'workflow',
        'show',
        '--workflow-id',
        handle.workflowId,
        '--address',
        process.env.TEMPORAL_ADDRESS!,
        '--output',
        'json',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    assert.ok(
      stdout.includes('binary/encrypted') ||
        stdout.includes(Buffer.from('binary/encrypted').toString('base64')),
    );
    assert.equal(stdout.includes(email), false, 'the raw history shows the email');
    assert.equal(stdout.includes(Buffer.from(email).toString('base64')), false);
  });

  it('shows the decoded input and the summary in the Web UI', async () => {
    const uiUrl = process.env.PROVISIONER_TEST_UI_URL;
    assert.ok(uiUrl, 'run the tests through npm test (test/run.ts starts the Web UI)');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${userData}`,
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    await page.goto(`${uiUrl}/namespaces/default/workflows/bank-${bankGuid}`, { waitUntil: 'networkidle' });
    await page.getByText(email).first().waitFor({ timeout: 30_000 });
    await page.getByText(`Onboard bank ${bankGuid}`).first().waitFor({ timeout: 10_000 });
    const dir = process.env.PROVISIONER_TEST_ARTIFACTS ?? 'test-artifacts';
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'web-ui-onboarding.png'), fullPage: true });
  });
});
