/**
 * Names of the bank applications the worker creates. Each carries the marker of the operation that created
 * it, `<base> [op <12 hex>]`: the only proof that an application the secret store does not know is this
 * operation's own (its create response was lost) rather than someone else's live credential.
 */
const MAX_NAME_LENGTH = 128;
const MARKER = / \[op ([0-9a-f]{12})\]$/;
const ROTATION_SUFFIX = / \(rotated [0-9TZ:-]+\)$/;

export const defaultApplicationName = (bankGuid: string) => `bank-${bankGuid}`;

/** The marker of one operation: from its first run id, so every attempt and every retry shares it. */
export const operationMarker = (firstExecutionRunId: string) =>
  firstExecutionRunId.replaceAll('-', '').toLowerCase().slice(0, 12);

/** `base` with the operation's marker, shortened to fit the IdP's 128 characters. */
export function markedApplicationName(base: string, marker: string): string {
  const suffix = ` [op ${marker}]`;
  return base.replace(MARKER, '').slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
}

/** The application a bank's onboarding asks for: its name carries the marker of the operation `firstRunId` started. */
export function requestedApplication(
  bankGuid: string,
  settings: { name?: string; ipAllowlist?: string[]; expiresAt?: string },
  firstRunId: string,
) {
  return {
    bankGuid,
    name: markedApplicationName(
      settings.name ?? defaultApplicationName(bankGuid),
      operationMarker(firstRunId),
    ),
    ipAllowlist: settings.ipAllowlist,
    expiresAt: settings.expiresAt,
  };
}

/** The name an operator gave: without the operation's marker and a rotation's suffix. */
export const applicationBaseName = (name: string) => name.replace(MARKER, '').replace(ROTATION_SUFFIX, '');

/** The base name of a rotation's application: the current one's base, with the rotation's start time. */
export function rotationBaseName(currentName: string, startedAt: Date): string {
  return `${applicationBaseName(currentName)} (rotated ${startedAt.toISOString().slice(0, 19)}Z)`;
}

/** `current` renamed to `base`, keeping the marker of the operation that created it (when it has one). */
export function renamedApplicationName(current: string, base: string): string {
  const marker = MARKER.exec(current)?.[1];
  return marker ? markedApplicationName(base, marker) : base.slice(0, MAX_NAME_LENGTH);
}
