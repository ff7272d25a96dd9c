/** `npm run build`: the prebuilt workflow bundle the worker loads in production (PROVISIONER_WORKFLOW_BUNDLE). */
import { mkdir, writeFile } from 'node:fs/promises';
import { createLogger } from '../src/log.js';
import { bundleWorkflows } from '../src/worker.js';

const code = await bundleWorkflows(createLogger('warn'));
await mkdir('dist', { recursive: true });
await writeFile('dist/workflow-bundle.js', code);
console.log(`dist/workflow-bundle.js: ${code.length} bytes`);
