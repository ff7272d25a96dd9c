/** Every workflow type of the worker (the workflow bundle's entry point). */
export { deliverWebhookEvent } from './deliver-webhook-event.js';
export { disableUsers } from './disable-users.js';
export { offboardBank } from './offboard-bank.js';
export { onboardBank } from './onboard-bank.js';
export { revokeBankCredentials } from './revoke-bank-credentials.js';
export { completeRotationUpdate, statusQuery } from '../model/workflow-safe/messages.js';
export { rotateBankCredentials } from './rotate-bank-credentials.js';
export { scheduledRotation } from './scheduled-rotation.js';
export { planManifest } from './plan-manifest.js';
export { applyManifest } from './apply-manifest.js';
export { reconcileBank } from './reconcile-bank.js';
export { driftCheck } from './drift-check.js';
