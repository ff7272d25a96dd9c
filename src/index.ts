/**
 * The library surface for onboarding systems: the typed client, the workflow contract (zod schemas and
 * their types), the query and update definitions, and the errors the client throws.
 */
export * from './model/contract.js';
export { BANK_CREDENTIAL_FORMAT, BankCredentialDocument } from './model/bank-credential.js';
export {
  BankBusyError,
  InvalidInputError,
  ProvisionerClient,
  RequestIdReusedError,
  RotationNotWaitingError,
  rotationScheduleId,
} from './client/index.js';
export type { ProvisionerClientOptions, RunningOperation, StartOptions } from './client/index.js';
export { checkTasks, confirmTask, NoOpenTaskError, openTasks, submitCredential } from './client/tasks.js';
export { describeFailure } from './model/workflow-safe/failure.js';
export * from './model/manifest.js';
export * from './model/plan.js';
export * from './model/desired-state.js';
export { DriftReport, DriftFollowUp } from './model/drift-report.js';
export {
  DesiredStateClient,
  ManifestBusyError,
  parseManifest,
  PlanDocument,
} from './client/desired-state.js';
export {
  checkTasksUpdate,
  completeRotationUpdate,
  confirmTaskUpdate,
  statusQuery,
  submitCredentialUpdate,
} from './model/workflow-safe/messages.js';
export { dataConverterFor } from './codec/index.js';
export { parseKeyring } from './keyring.js';
export {
  OPERATION_EVENTS,
  ROTATION_WAITING_EVENT,
  TASK_EVENTS,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from './model/workflow-safe/webhook-events.js';
export { WebhookEvent } from './model/webhook-event-schemas.js';
