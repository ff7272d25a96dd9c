/** The local Cybrid IdP sandbox (see docs/sandbox.md). */
export { startSandbox, type RunningSandbox, type SandboxOptions } from './server.js';
export { faultsFromEnv, faultsFromFlags, type SandboxFaults } from './faults.js';
