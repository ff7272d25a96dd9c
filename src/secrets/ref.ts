/**
 * Secret names and references. A name is a path of URL-safe segments (`banks/<bankGuid>/credential`);
 * a reference is `<scheme>:<name>` (`local:banks/<bankGuid>/credential`), so a reference says which
 * store holds it. Both are safe to log: they identify a secret, they never contain one.
 */
import { SecretStoreError } from './errors.js';
import type { SecretName, SecretRef } from './store.js';

export type { SecretName, SecretRef } from './store.js';

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]*';
const NAME = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);
const SCHEME = /^[a-z][a-z0-9-]*$/;
/** Leaves room for a file extension within the usual 255-byte file name limit. */
const MAX_NAME_LENGTH = 200;

export function isSecretName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

export function assertSecretName(name: string): SecretName {
  if (!isSecretName(name)) {
    throw new SecretStoreError(
      `Invalid secret name "${name}": expected segments of letters, digits, ".", "_", "-" separated by "/" (at most ${MAX_NAME_LENGTH} characters)`,
    );
  }
  return name;
}

export function formatSecretRef(scheme: string, name: SecretName): SecretRef {
  if (!SCHEME.test(scheme)) throw new SecretStoreError(`Invalid secret store scheme "${scheme}"`);
  return `${scheme}:${assertSecretName(name)}`;
}

/** Splits a reference; a bare name has no scheme. Names contain no ":", so the split is unambiguous. */
export function parseSecretRef(ref: SecretRef): { scheme?: string; name: SecretName } {
  const colon = ref.indexOf(':');
  if (colon === -1) return { name: assertSecretName(ref) };
  const scheme = ref.slice(0, colon);
  if (!SCHEME.test(scheme)) throw new SecretStoreError(`Invalid secret reference "${ref}"`);
  return { scheme, name: assertSecretName(ref.slice(colon + 1)) };
}

/**
 * The name `ref` points to in the store of `scheme`; a reference of another store is refused naming the
 * variable that selects the store, since that store is not configured in this process.
 */
export function secretNameOf(ref: SecretRef, scheme: string): SecretName {
  const parsed = parseSecretRef(ref);
  if (parsed.scheme !== undefined && parsed.scheme !== scheme) {
    throw new SecretStoreError(
      `Secret reference "${ref}" belongs to the "${parsed.scheme}" store, which is not configured here: this process uses the "${scheme}" store (PROVISIONER_SECRET_STORE)`,
    );
  }
  return parsed.name;
}
