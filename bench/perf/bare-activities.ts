/** The ceiling's activities: no-ops, so the ceiling measures Temporal alone. */
export const bareActivities = {
  ensureApplication: (bankGuid: string) => Promise.resolve(`app-${bankGuid}`),
  verifyCredential: (_clientId: string) => Promise.resolve(),
  ensureUsers: (_bankGuid: string, _users: { email: string }[]) => Promise.resolve(),
};
