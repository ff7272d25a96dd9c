#!/usr/bin/env node
// The `provisioner` command. Runs the TypeScript sources through tsx, so a fresh `npm ci` is enough;
// production can run the compiled `node dist/cli/main.js` after `npm run build`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
