/**
 * A new user's invite as stored in the secret store under `users/<userGuid>/invite-url`: the IdP returns the
 * invite URL only once, in the create response. The document also says which bank and which workflow run
 * created the user, so a retried onboarding can tell its own users from users that existed before it
 * (stores keep no metadata beside a version, so this lives in the value).
 */
import { z } from 'zod';
import { Guid } from './idp-schemas.js';

export const USER_INVITE_FORMAT = 'cybrid-user-invite/v1';

export const UserInviteDocument = z.object({
  /** Changes only with an incompatible change of this document. */
  format: z.literal(USER_INVITE_FORMAT),
  userGuid: z.string().min(1),
  email: z.string().min(1),
  bankGuid: Guid,
  inviteUrl: z.string().min(1),
  /** The onboarding run that created the user. */
  workflowRunId: z.string(),
});
export type UserInviteDocument = z.infer<typeof UserInviteDocument>;
