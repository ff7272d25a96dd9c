import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { dataConverterFor } from '../../src/codec/index.js';
import { parseKeyring } from '../../src/keyring.js';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { HISTORIES_DIR, REPLAY_CODEC_KEYS } from '../support/replay.js';

describe('replay: committed histories still replay on the current workflow code', async () => {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();

  it('has a history of every workflow type', () => {
    for (const type of [
      'onboardBank',
      'rotateBankCredentials',
      'revokeBankCredentials',
      'disableUsers',
      'offboardBank',
      'scheduledRotation',
      'deliverWebhookEvent',
      'planManifest',
      'applyManifest',
      'reconcileBank',
      'driftCheck',
    ]) {
      assert.ok(
        files.some((f) => new RegExp(`^${type}[-.]`).test(f)),
        `no committed history of ${type}`,
      );
    }
  });

  it('has histories of onboardings that failed: users refused, verification failed', async () => {
    for (const name of ['onboardBank-users-refused', 'onboardBank-verification-failed']) {
      const history = JSON.parse(await readFile(new URL(`${name}.json`, HISTORIES_DIR), 'utf8')) as {
        events: Record<string, unknown>[];
      };
      assert.ok(history.events.at(-1)?.workflowExecutionFailedEventAttributes, `${name} did not fail`);
    }
  });

  it('has histories of runs begun before short steps were local activities, which must still replay', async () => {
    const steps = async (name: string) => {
      const history = JSON.parse(await readFile(new URL(`${name}.json`, HISTORIES_DIR), 'utf8')) as {
        events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[];
      };
      return history.events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    };
    // Recorded first: the application step was an activity. Then: a local activity (a marker). Now: an
    // activity again, so its attempts survive a killed worker.
    assert.ok((await steps('onboardBank-3-users.before-local-steps')).includes('ensureBankApplication'));
    assert.ok(!(await steps('onboardBank-3-users.before-durable-steps')).includes('ensureBankApplication'));
    assert.ok((await steps('onboardBank-3-users')).includes('ensureBankApplication'));
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const history = JSON.parse(await readFile(new URL(file, HISTORIES_DIR), 'utf8')) as {
        events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[];
      };
      // Replayed under the workflow id it ran with: task ids are made of it (a confirmation names its task).
      const workflowId = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowId;
      const bundlePath = process.env.PROVISIONER_TEST_WORKFLOW_BUNDLE;
      await Worker.runReplayHistory(
        {
          ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
          dataConverter: dataConverterFor(parseKeyring(REPLAY_CODEC_KEYS, 'PROVISIONER_CODEC_KEYS')),
          replayName: file,
        },
        history,
        workflowId,
      );
    });
  }
});
