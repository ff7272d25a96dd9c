/** `provisioner onboard <bankGuid>`: start (and with --wait, follow) the onboardBank workflow. */
import type { Command } from 'commander';
import { applicationExpiryProblem } from '../../idp/application-expiry.js';
import { OnboardBankInput, type UserSpec } from '../../model/contract.js';
import { readDocumentFile } from '../document-file.js';
import { runOperation, taskTimingOf, withOperationFlags, type OperationFlags } from '../operation.js';
import { CliError } from '../output.js';
import { collect } from '../options.js';

/** EMAIL[:SCOPE,SCOPE...] */
export function parseUserFlag(flag: string): UserSpec {
  const colon = flag.indexOf(':');
  if (colon === -1) return { email: flag };
  const scopes = flag.slice(colon + 1);
  return {
    email: flag.slice(0, colon),
    allowedScopes: scopes === '' ? [] : (scopes.split(',') as UserSpec['allowedScopes']),
  };
}

/** A JSON or YAML file: a list of users, or an object with a `users` list. */
export async function readUsersFile(path: string): Promise<UserSpec[]> {
  const parsed = await readDocumentFile(path, '--users-file');
  const users = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(users))
    throw new CliError(`--users-file ${path} must hold a list of users or {users: [...]}`);
  return users as UserSpec[];
}

interface OnboardFlags extends OperationFlags {
  user: string[];
  usersFile?: string;
  appName?: string;
  ip: string[];
  expiresAt?: string;
  verify: boolean;
}

export function registerOnboard(program: Command): void {
  const onboard = program
    .command('onboard')
    .description('onboard a bank: its OAuth application (secret stored), verification, organization users')
    .argument('<bankGuid>', 'the bank (32 lowercase hex characters)')
    .option(
      '--user <EMAIL[:SCOPE,SCOPE...]>',
      'a user to provision, with optional allowed scopes (repeatable)',
      collect,
      [],
    )
    .option('--users-file <path>', 'users from a JSON or YAML file: [{email, allowedScopes?}]')
    .option('--app-name <name>', 'the application name (default bank-<bankGuid>)')
    .option('--ip <CIDR>', 'an IP allowlist entry of the application (repeatable)', collect, [])
    .option(
      '--expires-at <iso-date-time>',
      "application expiry (default: the worker's PROVISIONER_KEY_LIFETIME from now; at most 365 days away)",
    )
    .option('--no-verify', 'skip minting a token with the new credential');
  withOperationFlags(onboard).action(async (bankGuid: string, flags: OnboardFlags) => {
    const expiryProblem = flags.expiresAt && applicationExpiryProblem(flags.expiresAt, Date.now());
    if (expiryProblem) throw new CliError(`--expires-at ${flags.expiresAt} ${expiryProblem}`);
    const users = [
      ...flags.user.map(parseUserFlag),
      ...(flags.usersFile ? await readUsersFile(flags.usersFile) : []),
    ];
    const input: OnboardBankInput = {
      bankGuid,
      application:
        flags.appName || flags.ip.length || flags.expiresAt
          ? {
              name: flags.appName,
              ipAllowlist: flags.ip.length ? flags.ip : undefined,
              expiresAt: flags.expiresAt,
            }
          : undefined,
      users: users.length ? users : undefined,
      verifyCredentials: flags.verify,
      tasks: taskTimingOf(flags),
    };
    await runOperation(
      flags,
      OnboardBankInput,
      input,
      (client, valid) => client.startOnboarding(valid),
      (result) => {
        const created = result.users.filter((u) => u.created).length;
        return [
          `bank ${result.bankGuid} onboarded`,
          `application ${result.application.name}: clientId ${result.application.clientId}, secret ${result.application.secretRef}`,
          `credential verified: ${result.verified ? 'yes' : 'skipped'}`,
          `users: ${result.users.length} (${created} created, ${result.users.length - created} already present)`,
        ];
      },
      { bankGuid },
    );
  });
}
