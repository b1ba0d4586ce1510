import { ExitCode } from '@ssmhub/client/errors';
import type { OrgRestoreOptions, OrgRestoreOutcome, OrgRestorePlan } from '@ssmhub/client/orgRestore';
import type { OrgRestoreStatus, StartedOrgRestore } from '@ssmhub/client/orgRestoreExecution';
import { UsageError } from '../../errors.js';
import type { CommandContext, CommandOutput, HubContext, Renderers } from '../command.js';
import { allowedTargets, applyFlags, confirmApply, destructiveNames } from './restoreSafety.js';
import { callStatus, statusOutput } from './restoreStatus.js';

// `ssmhub restore --all-accounts`: every location the hub knows restored in place, planned (with a
// summary per location) or applied resumably under a restore id.

/** Options of an organization-wide restore only. */
export const ALL_ACCOUNTS_FLAGS = [
  '--regions',
  '--restore-id',
  '--details',
  '--location-concurrency',
  '--writes-per-second',
  '--local-engine',
] as const;

export interface AllAccountsParams {
  readonly allAccounts: true;
  readonly options: OrgRestoreOptions;
  readonly details: boolean;
  readonly restoreId?: string;
  readonly writesPerSecond?: number;
  readonly apply: boolean;
  readonly yes: boolean;
  /** Apply from this process even when the hub has the org restore state machine. */
  readonly localEngine: boolean;
  /** Follow the started execution until it ends. */
  readonly wait: boolean;
}

export interface AllAccountsResult {
  readonly allAccounts: true;
  /** The plan of every location: shown without --apply, and asked about with --apply but not --yes. */
  readonly plan?: OrgRestorePlan;
  /** Only with --apply, applied from this process. */
  readonly outcome?: OrgRestoreOutcome;
  /** Only with --apply, started on the hub's state machine. */
  readonly started?: StartedOrgRestore;
  /** With --wait, where the started restore ended. */
  readonly status?: OrgRestoreStatus;
}

export async function readAllAccounts(
  context: CommandContext,
  at: string,
  recursive: boolean,
): Promise<AllAccountsParams> {
  const { input } = context;
  for (const flag of ['--account', '--region', '--to-account', '--to-region']) {
    if (input.string(flag) !== undefined) {
      throw new UsageError(`--all-accounts restores every location in place: drop ${flag}`);
    }
  }
  const regions = input.list('--regions');
  const { checkRegion } = await import('@ssmhub/client/locations');
  for (const region of regions ?? []) checkRegion(region);
  const kmsKey = input.string('--kms-key');
  const targets = await allowedTargets(input);
  const restoreId = input.string('--restore-id');
  const locationConcurrency = input.positiveInteger('--location-concurrency');
  const writesPerSecond = input.positiveInteger('--writes-per-second');
  const { apply, yes } = applyFlags(context);
  if (restoreId !== undefined && !apply) {
    throw new UsageError('--restore-id goes with --apply (a plan records nothing)');
  }
  const localEngine = input.flag('--local-engine');
  const wait = input.flag('--wait');
  if ((localEngine || wait) && !apply) {
    throw new UsageError(`${localEngine ? '--local-engine' : '--wait'} goes with --apply`);
  }
  return {
    allAccounts: true,
    options: {
      path: input.argument(0),
      at,
      recursive,
      ...(regions ? { regions } : {}),
      ...(kmsKey ? { fallbackKeyId: kmsKey } : {}),
      ...(targets.length > 0 ? { allowedTargets: targets } : {}),
      ...(locationConcurrency ? { locationConcurrency } : {}),
      force: input.flag('--force'),
    },
    details: input.flag('--details'),
    ...(restoreId ? { restoreId } : {}),
    ...(writesPerSecond ? { writesPerSecond } : {}),
    apply,
    yes,
    localEngine,
    wait,
  };
}

/** Plans every location, then with --apply (asked, unless --yes) applies them, noting the restore id first. */
export async function callAllAccounts(
  { options, details, restoreId, writesPerSecond, apply, yes, localEngine, wait }: AllAccountsParams,
  context: HubContext,
): Promise<AllAccountsResult> {
  const { hub, confirm, note, withProgress } = context;
  const { applyOrgRestore, planOrgRestore } = await import('@ssmhub/client/orgRestore');
  // With --yes the locations are planned as they are applied: no plan of the whole organization first.
  const plan =
    !apply || !yes
      ? await withProgress((onProgress) => planOrgRestore(hub, options, { details, onProgress }))
      : undefined;
  if (!apply) return { allAccounts: true, plan };
  if (plan && plan.totals.put + plan.totals.delete > 0) {
    const { orgPlanSummary } = await import('../render.js');
    // Names are known only of the locations planned with --details.
    const names = plan.locations.flatMap((l) =>
      destructiveNames(l.entries ?? []).map((line) =>
        line.startsWith(' ') ? line : `${l.account}/${l.region} ${line}`,
      ),
    );
    await confirmApply(confirm, [orgPlanSummary(plan), ...names].join('\n'));
  }
  const { findOrgRestoreStateMachine, startOrgRestore } = await import('@ssmhub/client/orgRestoreExecution');
  // The hub's state machine when it has one (the restore outlives this process), else this process.
  const machine = localEngine ? undefined : findOrgRestoreStateMachine(hub);
  if (machine) {
    if (options.locationConcurrency)
      note("--location-concurrency is the hub's orgRestoreConcurrency on its state machine: ignored");
    const started = await startOrgRestore(hub, machine, {
      ...options,
      ...(restoreId ? { restoreId } : {}),
      ...(writesPerSecond ? { writesPerSecond } : {}),
    });
    note(
      `restore ${started.restoreId}: ${started.locations} locations, execution ${started.executionArn}; follow it with ssmhub restore --status ${started.restoreId} [--wait]`,
    );
    const status = wait
      ? await callStatus({ status: started.restoreId, wait: true, redrive: false }, context)
      : undefined;
    return { allAccounts: true, plan, started, ...(status ? { status } : {}) };
  }
  const outcome = await withProgress((onProgress) =>
    applyOrgRestore(hub, {
      ...options,
      ...(restoreId ? { restoreId } : {}),
      ...(writesPerSecond ? { writesPerSecond } : {}),
      onStart: (start) =>
        note(
          `restore ${start.restoreId}: ${start.resumed ? `continuing, ${start.done} of ${start.locations} locations done earlier` : `${start.locations} locations`}; if interrupted, re-run with --restore-id ${start.restoreId}`,
        ),
      onProgress,
    }),
  );
  return { allAccounts: true, plan, outcome };
}

/** A row per location; a warning for each that failed or was refused, and exit 1 on any failure. */
export function allAccountsOutput(result: AllAccountsResult, render: Renderers): CommandOutput {
  const { plan, outcome, started, status } = result;
  if (started) {
    if (status) return statusOutput(status);
    return {
      json: started,
      table: () =>
        `restore ${started.restoreId} started on the hub's state machine: ${started.locations} locations\nexecution ${started.executionArn}`,
    };
  }
  const troubled = outcome
    ? outcome.locations
        .filter((l) => l.status !== 'succeeded' && l.status !== 'done-earlier')
        .map((l) => ({ ...l, state: l.status }))
    : (plan?.locations ?? []).filter((l) => l.state !== 'planned');
  return {
    json: render.orgRestoreJson(plan, outcome),
    table: (layout) => render.orgRestoreTable(plan, outcome, layout),
    stats: outcome?.stats ?? plan?.stats,
    warnings: troubled.map((l) => `${l.account}/${l.region} ${l.state}${l.message ? `: ${l.message}` : ''}`),
    exitCode:
      (outcome && outcome.status !== 'succeeded') || troubled.some((l) => l.state === 'failed')
        ? ExitCode.failure
        : ExitCode.success,
  };
}
