/**
 * Email addresses, checked the same way everywhere (typed client, CLI, workflow start, IdP client, sandbox):
 * `local@domain` in the dot-atom form of RFC 5322, with the length limits of RFC 5321. The reference gives
 * only "1..254 characters" [U: what the IdP itself accepts is unknown]; these are the rules mail systems
 * apply, so an address that passes here can receive the invitation.
 *
 * - local part: 1..64 characters of letters, digits and ! # $ % & ' * + / = ? ^ _ ` { | } ~ -, in runs
 *   separated by single dots (no quoted strings, no comments, no spaces);
 * - domain: a host name, two or more labels of letters, digits and hyphens, each 1..63 characters and not
 *   starting or ending with a hyphen (no address literals such as [192.0.2.1]);
 * - ASCII only (internationalized addresses are refused), at most 254 characters in all.
 */
import { z } from 'zod';

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const ATEXT_CHAR = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export const EMAIL_RULE = 'must be an email address local@domain (dot-atom form)';

/** The first character of `text` that `allowed` refuses, quoted for a message. */
function firstRefused(text: string, allowed: RegExp): string | undefined {
  const refused = [...text].find((char) => !allowed.test(char));
  return refused === undefined ? undefined : JSON.stringify(refused);
}

/** Why `value` is not an acceptable address, or undefined when it is. */
export function emailProblem(value: string): string | undefined {
  if (value.length === 0) return `${EMAIL_RULE}; it is empty`;
  if (value.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  const at = value.lastIndexOf('@');
  if (at === -1) return `${EMAIL_RULE}; it has no @`;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length === 0) return `${EMAIL_RULE}; nothing comes before the @`;
  if (local.length > MAX_LOCAL_LENGTH)
    return `${EMAIL_RULE}; the part before the @ must be at most ${MAX_LOCAL_LENGTH} characters`;
  if (!local.split('.').every((run) => ATEXT.test(run))) {
    const refused = firstRefused(local.replaceAll('.', ''), ATEXT_CHAR);
    return refused
      ? `${EMAIL_RULE}; ${refused} is not allowed before the @ (ASCII letters, digits and !#$%&'*+/=?^_\`{|}~- only)`
      : `${EMAIL_RULE}; dots before the @ must separate characters (none first, last or doubled)`;
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)))
    return `${EMAIL_RULE}; the domain must be a host name such as example.com (ASCII letters, digits and inner hyphens between dots)`;
  if (labels.some((label) => label.length > MAX_LABEL_LENGTH))
    return `${EMAIL_RULE}; each part of the domain must be at most ${MAX_LABEL_LENGTH} characters`;
  return undefined;
}

export const Email = z.string().superRefine((value, ctx) => {
  const problem = emailProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
