/** Credential lifecycle subcommands: rotate, complete-rotation, revoke, disable-user, offboard, schedule-rotation. */
import type { Command } from 'commander';
import {
  DEFAULT_GRACE_PERIOD,
  DisableUsersInput,
  type DisableUsersResult,
  OffboardBankInput,
  RevokeBankCredentialsInput,
  RotateBankCredentialsInput,
} from '../../model/contract.js';
import { validRequestId } from '../../client/index.js';
import { withClient } from '../connect.js';
import { runOperation, taskTimingOf, withOperationFlags, type OperationFlags } from '../operation.js';
import { printJson, printLine } from '../output.js';
import { collect } from '../options.js';

export function registerLifecycle(program: Command): void {
  withOperationFlags(
    program
      .command('rotate')
      .description(
        'rotate the bank credential: new key, verify, make current, grace period, delete the old one (the worker, or a person in the Partner Portal)',
      )
      .argument('<bankGuid>', 'the bank')
      .option(
        '--grace <duration>',
        'time for consumers to switch before the old credential is deleted',
        DEFAULT_GRACE_PERIOD,
      )
      .option('--no-verify', 'skip minting a token with the new credential'),
  ).action((bankGuid: string, flags: OperationFlags & { grace: string; verify: boolean }) =>
    runOperation(
      flags,
      RotateBankCredentialsInput,
      { bankGuid, gracePeriod: flags.grace, verify: flags.verify, tasks: taskTimingOf(flags) },
      (client, input) => client.startRotation(input),
      (r) => [
        `bank ${r.bankGuid} rotated: ${r.previousClientId} → ${r.clientId} (completed by ${r.completedBy}); secret ${r.secretRef}`,
      ],
      { bankGuid },
    ),
  );

  program
    .command('complete-rotation')
    .description('finish a rotation that waits for its grace period now')
    .argument('<bankGuid>', 'the bank')
    .action((bankGuid: string) =>
      withClient(async (client) => {
        await client.completeRotation(bankGuid);
        printLine(`rotation of bank ${bankGuid}: completion accepted`);
      }),
    );

  withOperationFlags(
    program
      .command('revoke')
      .description(
        'emergency: mark the stored secrets revoked now and delete the bank applications (the worker, or a person in the Partner Portal)',
      )
      .argument('<bankGuid>', 'the bank')
      .option('--client-id <id>', 'only this application (repeatable; default all of the bank)', collect, [])
      .option('--reason <text>', 'why (kept in the workflow history)', 'revoked by operator'),
  ).action((bankGuid: string, flags: OperationFlags & { clientId: string[]; reason: string }) =>
    runOperation(
      flags,
      RevokeBankCredentialsInput,
      {
        bankGuid,
        clientIds: flags.clientId.length ? flags.clientId : undefined,
        reason: flags.reason,
        tasks: taskTimingOf(flags),
      },
      (client, input) => client.startRevocation(input),
      (r) => [
        `bank ${r.bankGuid}: revoked ${r.revokedClientIds.length} applications ${r.revokedClientIds.join(', ')}`,
        ...(r.notFoundClientIds.length
          ? [`not applications of the bank (nothing revoked): ${r.notFoundClientIds.join(', ')}`]
          : []),
      ],
      { bankGuid },
    ),
  );

  withOperationFlags(
    program
      .command('disable-user')
      .description('disable users by email or guid')
      .argument('<user...>', 'emails or user guids')
      .option('--bank <bankGuid>', 'tag the workflow with this bank')
      .option('--reason <text>', 'why (kept in the workflow history)', 'disabled by operator')
      .option(
        '--request-id <id>',
        'your id for this request: starting it again finds the first start instead of a second one',
      ),
  ).action(
    (users: string[], flags: OperationFlags & { reason: string; bank?: string; requestId?: string }) => {
      const requestId = validRequestId(flags.requestId);
      return runOperation(
        flags,
        DisableUsersInput,
        { users, reason: flags.reason, bankGuid: flags.bank, tasks: taskTimingOf(flags) },
        (client, input) => client.startDisablingUsers(input, { requestId }),
        (r: DisableUsersResult) => [
          ...r.disabled.map((d) => `disabled ${d.user}${d.user === d.guid ? '' : ` (${d.guid})`}`),
          ...r.notFound.map((user) => `no such user: ${user}`),
        ],
      );
    },
  );

  withOperationFlags(
    program
      .command('offboard')
      .description('revoke every application of the bank and disable the users provisioned for it')
      .argument('<bankGuid>', 'the bank')
      .option('--reason <text>', 'why (kept in the workflow history)', 'offboarded by operator'),
  ).action((bankGuid: string, flags: OperationFlags & { reason: string }) =>
    runOperation(
      flags,
      OffboardBankInput,
      { bankGuid, reason: flags.reason, tasks: taskTimingOf(flags) },
      (client, input) => client.startOffboarding(input),
      (r) => [
        `bank ${r.bankGuid} offboarded: ${r.revokedClientIds.length} applications revoked, ${r.disabledUserGuids.length} users disabled`,
      ],
      { bankGuid },
    ),
  );

  program
    .command('schedule-rotation')
    .description(
      'create or update a Temporal Schedule that rotates the bank credential (overlapping runs skipped)',
    )
    .argument('<bankGuid>', 'the bank')
    .requiredOption('--every <duration>', 'interval, e.g. 90d')
    .option('--grace <duration>', 'grace period of each rotation', DEFAULT_GRACE_PERIOD)
    .option('--json', 'print one JSON document on stdout')
    .action((bankGuid: string, flags: { every: string; grace: string; json?: boolean }) =>
      withClient(async (client) => {
        const { scheduleId, created } = await client.scheduleRotation(bankGuid, flags.every, flags.grace);
        const schedule = await client.rotationSchedule(bankGuid);
        if (flags.json)
          return printJson({
            bankGuid,
            scheduleId,
            created,
            every: flags.every,
            nextRunAt: schedule?.nextRunAt,
          });
        printLine(
          `${created ? 'created' : 'updated'} schedule ${scheduleId}: every ${flags.every}, next run ${schedule?.nextRunAt ?? 'unknown'}`,
        );
      }),
    );
}
