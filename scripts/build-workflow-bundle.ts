/** `npm run build`: the prebuilt workflow bundle the worker loads in production (PROVISIONER_WORKFLOW_BUNDLE). */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { FAILURE_CONVERTER_PATH } from '../src/codec/index.js';
import { WORKFLOWS_PATH } from '../src/worker.js';

const { code } = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  failureConverterPath: FAILURE_CONVERTER_PATH,
});
await mkdir('dist', { recursive: true });
await writeFile('dist/workflow-bundle.js', code);
console.log(`dist/workflow-bundle.js: ${code.length} bytes`);
