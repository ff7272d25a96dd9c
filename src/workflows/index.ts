/** Every workflow type of the worker (the workflow bundle's entry point). */
export { onboardBank } from './onboard-bank.js';
export { statusQuery } from './status.js';
