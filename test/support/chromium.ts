/** Chromium for the browser tests, driven by playwright-core (scripts/install-browser.sh installs one). */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** CHROMIUM_PATH, else the first Chromium or Chrome on PATH (scripts/install-browser.sh installs one). */
export async function findChromium(): Promise<string> {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .flatMap((dir) => ['chromium', 'chromium-browser', 'google-chrome'].map((name) => join(dir, name)));
  for (const path of candidates) {
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  throw new Error('no Chromium found: set CHROMIUM_PATH or run scripts/install-browser.sh');
}

/** A headless Chromium that reaches nothing but what the test opens. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await findChromium(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
