/**
 * The failure converter, loaded by path: the SDK require()s it in the worker and the client and bundles it
 * into workflow code, so failures built inside workflows are converted the same way. It moves failure
 * messages and stack traces into an encoded attributes payload, which the payload codec then encrypts.
 * Workflow-safe: imports nothing that does I/O.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
