#!/usr/bin/env node
// The `provisioner` command. With the development dependencies (`npm ci`) it runs the TypeScript sources
// through tsx; in a production install (`npm ci --omit=dev` beside `npm run build`'s dist/), where tsx is
// absent, it runs the compiled CLI.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const tsx = existsSync(sources)
  ? await import('tsx/esm/api').catch((/** @type {NodeJS.ErrnoException} */ err) => {
      if (err.code === 'ERR_MODULE_NOT_FOUND') return undefined;
      throw err;
    })
  : undefined;
if (tsx) {
  tsx.register();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
