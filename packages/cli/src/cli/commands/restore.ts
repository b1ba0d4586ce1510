import {
  CliEnvironment,
  ConfirmationDecision,
  DEFAULT_LOCATION_CONCURRENCY,
  DEFAULT_WRITES_PER_SECOND,
  confirmationDecision,
  destructiveCounts,
} from '@ssmhub/core';
import { ExitCode } from '@ssmhub/client/errors';
import type { RestoreOptions, RestorePlan } from '@ssmhub/client/restore';
import type { RestoreOutcome } from '@ssmhub/client/restoreApply';
import type { OrgRestoreStatus } from '@ssmhub/client/orgRestoreExecution';
import { UsageError } from '../../errors.js';
import { command, type CommandContext, type CommandOutput, type HubContext, type Renderers } from '../command.js';
import { RECURSIVE_OPTION, REGION_OPTION, TIME_HELP } from './options.js';
import {
  ALL_ACCOUNTS_FLAGS,
  allAccountsOutput,
  callAllAccounts,
  readAllAccounts,
  type AllAccountsParams,
  type AllAccountsResult,
} from './restoreAllAccounts.js';
import { allowedTargets, applyFlags, confirmApply, destructiveNames } from './restoreSafety.js';
import { callStatus, readStatus, statusOutput, type StatusParams } from './restoreStatus.js';

/** A restore of one location, into itself or into another account or region. */
interface LocationParams {
  readonly allAccounts: false;
  readonly options: RestoreOptions;
  /** `--version N` or `--label L`: one key back to that stored version. */
  readonly stored?: { readonly version?: number; readonly label?: string };
  readonly apply: boolean;
  readonly yes: boolean;
}

interface LocationResult {
  readonly allAccounts: false;
  readonly plan: RestorePlan;
  /** Only with --apply. */
  readonly outcome?: RestoreOutcome;
}

async function readLocation(
  context: CommandContext,
  at: string,
  recursive: boolean,
  stored?: LocationParams['stored'],
): Promise<LocationParams> {
  const { input } = context;
  for (const flag of ALL_ACCOUNTS_FLAGS) {
    if (input.string(flag) !== undefined || input.flag(flag)) throw new UsageError(`${flag} goes with --all-accounts`);
  }
  const account = await input.account('--account');
  if (account === undefined) throw new UsageError('restore needs --account <id> (or --all-accounts)');
  const toAccount = await input.account('--to-account');
  const region = await input.region('--region');
  const toRegion = await input.region('--to-region');
  const kmsKey = input.string('--kms-key');
  const targets = await allowedTargets(input);
  return {
    allAccounts: false,
    options: {
      path: input.argument(0),
      at,
      account,
      region,
      recursive,
      ...(toAccount ? { toAccount } : {}),
      ...(toRegion ? { toRegion } : {}),
      ...(kmsKey ? { fallbackKeyId: kmsKey } : {}),
      ...(targets.length > 0 ? { allowedTargets: targets } : {}),
      force: input.flag('--force'),
    },
    ...(stored ? { stored } : {}),
    ...applyFlags(context),
  };
}

/** `--version N` or `--label L` (one key, no --at, --recursive or --all-accounts), or undefined. */
function readStored(context: CommandContext): LocationParams['stored'] {
  const { input } = context;
  const version = input.positiveInteger('--version');
  const label = input.string('--label');
  if (version === undefined && label === undefined) return undefined;
  if (version !== undefined && label !== undefined) throw new UsageError('--version and --label exclude each other');
  for (const flag of ['--at', '--recursive', '--all-accounts']) {
    if (input.string(flag) !== undefined || input.flag(flag)) {
      throw new UsageError(`${flag} does not go with --version or --label (they restore one key to a stored version)`);
    }
  }
  input.selector(0, { keyOnly: true });
  return version !== undefined ? { version } : { label: label as string };
}

/** Plans the restore and, with --apply, applies it (asking first when it overwrites or deletes). */
async function callLocation(
  { options, stored, apply, yes }: LocationParams,
  { hub, interactive, confirm, withProgress }: HubContext,
): Promise<LocationResult> {
  const [{ planRestore }, { applyRestore }] = await Promise.all([
    import('@ssmhub/client/restore'),
    import('@ssmhub/client/restoreApply'),
  ]);
  const { at: _at, path, recursive: _recursive, ...rest } = options;
  const plan = stored
    ? await (
        await import('@ssmhub/client/restoreVersion')
      ).planRestoreOfVersion(hub, { ...rest, name: path, ...stored })
    : await planRestore(hub, options);
  if (!apply) return { allAccounts: false, plan };
  const { put, delete: deletes, unchanged, refuse } = plan.summary;
  const destructive = destructiveCounts(plan.entries);
  if (confirmationDecision({ writes: put + deletes, destructive, yes, interactive }) === ConfirmationDecision.ask) {
    await confirmApply(
      confirm,
      [
        `restore ${plan.path} in ${plan.target.account}/${plan.target.region} to ${plan.at}: put ${put} (${destructive.overwrite} overwriting), delete ${destructive.delete}, unchanged ${unchanged}, refused ${refuse}`,
        ...destructiveNames(plan.entries),
      ].join('\n'),
    );
  }
  const outcome = await withProgress((onProgress) => applyRestore(hub, plan, { onProgress }));
  return { allAccounts: false, plan, outcome };
}

function locationOutput({ plan, outcome }: LocationResult, render: Renderers): CommandOutput {
  return {
    json: render.restoreJson(plan, outcome),
    table: (layout) => render.restoreTable(plan, outcome, layout),
    stats: plan.stats,
    warnings: [...plan.warnings, ...(plan.emptyReason ? [plan.emptyReason] : [])],
    exitCode: outcome && outcome.status !== 'succeeded' ? ExitCode.failure : ExitCode.success,
  };
}

/** `ssmhub restore`: a path (or key) back as it was at a moment, in one location or in all of them. */
export const restore = command({
  name: 'restore',
  description: 'put a path (or key) back the way it was at a moment; a dry-run plan unless --apply',
  arguments: [{ name: '[path-or-key]', description: 'a path (/app/) or a key (/app/db); not with --status' }],
  options: [
    {
      flags: '--at <time>',
      description: `the moment to restore to (required but with --status, --version or --label): ${TIME_HELP}`,
    },
    { flags: '--version <n>', description: "restore one key to this stored version (the hub's, from history)" },
    {
      flags: '--label <label>',
      description: 'restore one key to the stored version that carries this label (or carried it last)',
    },
    { flags: '--account <id>', description: 'the account whose history is restored (or --all-accounts)' },
    REGION_OPTION,
    RECURSIVE_OPTION,
    {
      flags: '--all-accounts',
      description:
        'every account and region the hub knows, each restored in place: a summary per location (--details for names); resumable with --restore-id',
    },
    { flags: '--regions <list>', description: 'with --all-accounts: only these regions, comma-separated' },
    {
      flags: '--restore-id <id>',
      description:
        'with --all-accounts --apply: the id to record the restore under; an existing one continues that restore, skipping the locations it finished',
    },
    { flags: '--details', description: "with --all-accounts: every location's names, not only its summary" },
    {
      flags: '--location-concurrency <n>',
      description: `with --all-accounts: locations planned or applied at once (default ${DEFAULT_LOCATION_CONCURRENCY})`,
    },
    {
      flags: '--writes-per-second <n>',
      description: `with --all-accounts: SSM writes a second in each account and region (default ${DEFAULT_WRITES_PER_SECOND}: Parameter Store's quota is shared with the account's workloads)`,
    },
    {
      flags: '--local-engine',
      description:
        'with --all-accounts --apply: restore from this process even when the hub has its org restore state machine (the default then: the restore runs on Step Functions and this command returns its id)',
    },
    {
      flags: '--status <id>',
      description:
        "an organization-wide restore by its id: each location done, running, failed or refused (from the hub's records, and its execution on Step Functions)",
    },
    {
      flags: '--wait',
      description: 'with --status (or --all-accounts --apply on the state machine): follow it to its end',
    },
    {
      flags: '--redrive',
      description: "with --status: run the failed locations of the restore's execution again (Step Functions redrive)",
    },
    { flags: '--to-account <id>', description: 'restore into this account instead' },
    { flags: '--to-region <region>', description: 'restore into this region instead' },
    {
      flags: '--kms-key <id>',
      description: 'key for SecureStrings whose original key is not usable in the target (default: alias/aws/ssm)',
    },
    { flags: '--apply', description: 'make the change (assumes SSMHubRestorer in the target)' },
    {
      flags: '--yes',
      description:
        'apply without asking (needed for --apply without a terminal; on one, overwrites and deletes ask y/N)',
    },
    {
      flags: '--force',
      description: "restore to a moment before the hub's first record for the source account and region",
    },
    {
      flags: '--allowed-targets <ids>',
      description: `accounts restore may write to, comma-separated (default: $${CliEnvironment.restoreTargets}, the hub stack's ssmhub-restore-targets export; * = any member the hub admitted)`,
    },
  ],
  example: 'ssmhub restore /app/ --recursive --at 2026-11-21T10:00:00Z --account 111122223333 --apply',
  connects: true,
  read(context): Promise<LocationParams | AllAccountsParams | StatusParams> {
    const { input } = context;
    const statusOf = input.string('--status');
    if (statusOf !== undefined) return Promise.resolve(readStatus(context, statusOf));
    if (input.flag('--redrive')) throw new UsageError('--redrive goes with --status <id>');
    if (input.argument(0) === '') throw new UsageError("missing required argument 'path-or-key'");
    const stored = readStored(context);
    if (stored) return readLocation(context, 'now', false, stored);
    if (input.string('--at') === undefined) throw new UsageError("required option '--at <time>' not specified");
    if (input.flag('--wait') && !input.flag('--all-accounts')) {
      throw new UsageError('--wait goes with --status <id> (or --all-accounts --apply)');
    }
    const at = input.time('--at') ?? '';
    const recursive = input.flag('--recursive');
    input.selector(0, { recursive });
    return input.flag('--all-accounts')
      ? readAllAccounts(context, at, recursive)
      : readLocation(context, at, recursive);
  },
  call: (params, context): Promise<LocationResult | AllAccountsResult | OrgRestoreStatus> =>
    'status' in params
      ? callStatus(params, context)
      : params.allAccounts
        ? callAllAccounts(params, context)
        : callLocation(params, context),
  output: (result, _params, render) =>
    !('allAccounts' in result)
      ? statusOutput(result)
      : result.allAccounts
        ? allAccountsOutput(result, render)
        : locationOutput(result, render),
});
