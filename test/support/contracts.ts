/** Which IdP contract a test's sandbox speaks. */
import type { IdpContract } from '../../src/model/idp-scopes.js';

/**
 * The contract under which an organization API key may write (v0.129.899): what tests whose worker writes
 * with its organization key start. The sandbox's own default, 0.129.1425, needs a write token source or a
 * person for every write.
 */
export const WRITING_CONTRACT: IdpContract = '0.129.899';
