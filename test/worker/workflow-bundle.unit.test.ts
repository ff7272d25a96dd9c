/**
 * The workflow bundle carries no zod: every workflow run would instantiate it again in its own module cache
 * (a third of the workflow thread's CPU and most of a cached workflow's memory). Workflows import zod-backed
 * model files for their types only; a value import of one pulls zod in and fails here.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { bundleWorkflows } from '../../src/worker.js';
import { createLogger } from '../../src/log.js';

async function workflowBundle(): Promise<string> {
  const built = process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE;
  return built ? readFile(built, 'utf8') : bundleWorkflows(createLogger('warn'));
}

describe('workflow bundle', () => {
  it('holds the SDK and no zod', async () => {
    const bundle = await workflowBundle();
    assert.match(bundle, /node_modules\/@temporalio\/workflow/);
    assert.doesNotMatch(bundle, /node_modules\/zod/);
  });
});
