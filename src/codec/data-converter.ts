/**
 * The data converter shared by the worker, the client and the CLI: payloads encrypted by the codec, failure
 * messages and stack traces moved into payloads so they are encrypted too.
 */
import type { DataConverter } from '@temporalio/common';
import { fileURLToPath } from 'node:url';
import { EncryptionCodec } from './encryption-codec.js';
import type { Keyring } from '../keyring.js';

/**
 * Module exporting the `failureConverter`. The SDK takes failure converters only by path (they also run in
 * the workflow sandbox), so a prebuilt workflow bundle must be built with it, as `bundleWorkflows` does.
 */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts')
      ? '../model/workflow-safe/failure-converter.ts'
      : '../model/workflow-safe/failure-converter.js',
    import.meta.url,
  ),
);

export function dataConverterFor(keys: Keyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
