import { CliEnvironment, DEFAULT_LOCATION_CONCURRENCY, DEFAULT_WRITES_PER_SECOND } from '@ssmhub/core';
import { ClientError, ExitCode, RestoreRefusedError } from '@ssmhub/client/errors';
import { UsageError } from '../errors.js';
import type { ChangeRecord } from '@ssmhub/client/changes';
import type { OutputRecord } from '@ssmhub/client/records';
import type { OrgRestoreOutcome, OrgRestorePlan } from '@ssmhub/client/orgRestore';
import type { RestoreOutcome } from '@ssmhub/client/restore';
import type { HubConnection } from '@ssmhub/client/hub';
import type { CommandContext, CommandInput, CommandResult, CommandSpec, OptionSpec, Progress } from './command.js';
import { doctor } from './doctorCommand.js';
import * as local from './localCommands.js';
import * as security from './securityCommands.js';

// The table of commands: help, options and the code of each. Everything a command needs (the
// SDK clients, the hub, the sandbox, the table renderer) is imported when it runs, so `--help`
// loads nothing but this table.

const REGION_OPTION: OptionSpec = {
  flags: '--region <region>',
  description: "the region (default: the account's only indexed region, else the hub's)",
};
const RECURSIVE_OPTION: OptionSpec = { flags: '--recursive', description: 'every depth below the path' };
const TIME_HELP = 'ISO 8601 (no zone means UTC), epoch seconds, now, or relative (-2h, -7d)';

/** The result of a command that lists output records (history, preview, search, changes). */
async function recordsResult(
  result: {
    records: readonly (OutputRecord | ChangeRecord)[];
    stats: CommandResult['stats'];
    warnings?: readonly string[];
  },
  values: boolean,
): Promise<CommandResult> {
  const { recordsTable } = await import('./render.js');
  return {
    json: result.records,
    table: (layout) => recordsTable(result.records, values, layout),
    stats: result.stats,
    ...(result.warnings?.length ? { warnings: result.warnings } : {}),
  };
}

const history: CommandSpec = {
  name: 'history',
  description: 'every version and deletion of one parameter, oldest first',
  arguments: [{ name: '<name>', description: 'the parameter name, like /app/db/url' }],
  options: [
    { flags: '--account <id>', description: 'the account the parameter lives in', required: true },
    REGION_OPTION,
    { flags: '--values', description: 'show values (read from the backup bucket)' },
  ],
  example: 'ssmhub history /app/db/url --account 111122223333 --region eu-west-1',
  connects: true,
  async run({ input, connect }) {
    input.selector(0, { keyOnly: true });
    const account = (await input.account('--account')) ?? '';
    const region = await input.region('--region');
    const values = input.flag('--values');
    const hub = await connect();
    const { history: read } = await import('@ssmhub/client/history');
    return recordsResult(await read(hub, { name: input.argument(0), account, region, values }), values);
  },
};

/** `preview --format`: the names and values at T as a file a shell or a program reads. */
const ExportFormat = { env: 'env', json: 'json' } as const;

const preview: CommandSpec = {
  name: 'preview',
  description: 'the parameters that existed at a moment, and their versions then',
  arguments: [
    {
      name: '<path-or-key>',
      description: "a path (/app/ — trailing slash) or a key (/app/db); '/app' with --recursive is the path",
    },
  ],
  options: [
    { flags: '--at <time>', description: `the moment, inclusive: ${TIME_HELP} (default: now)` },
    { flags: '--account <id>', description: 'the account', required: true },
    REGION_OPTION,
    { flags: '--recursive', description: 'every depth below the path, not only direct children' },
    { flags: '--values', description: 'show values (read from the backup bucket)' },
    {
      flags: '--format <format>',
      description:
        "with --values, print an export instead: env (NAME='value' lines, NAME from the name's last segment) or json ({name: value})",
      choices: Object.values(ExportFormat),
    },
  ],
  example: 'ssmhub preview /app/ --recursive --at -2h --account 111122223333',
  connects: true,
  async run({ input, connect }) {
    const { at, recursive, account, region } = await input.pathAtMoment();
    const values = input.flag('--values');
    const format = input.string('--format');
    if (format !== undefined && !values) {
      throw new UsageError('--format exports names and values: add --values');
    }
    const hub = await connect();
    const { preview: read } = await import('@ssmhub/client/preview');
    const result = await read(hub, { path: input.argument(0), at, account, region, recursive, values });
    if (format === undefined) return recordsResult(result, values);
    const { envExport, jsonExport } = await import('./render.js');
    const text = format === ExportFormat.env ? envExport(result.records) : jsonExport(result.records);
    return { json: result.records, table: () => text, text, stats: result.stats, warnings: result.warnings };
  },
};

const diff: CommandSpec = {
  name: 'diff',
  description: 'what was added, removed and changed between two moments',
  arguments: [{ name: '<path>', description: 'a path (/app/) or a key' }],
  options: [
    { flags: '--from <time>', description: `first moment: ${TIME_HELP}`, required: true },
    { flags: '--to <time>', description: 'second moment, not before --from (default: now)' },
    { flags: '--account <id>', description: 'the account', required: true },
    REGION_OPTION,
    RECURSIVE_OPTION,
  ],
  example: 'ssmhub diff /app/ --recursive --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z --account 111122223333',
  connects: true,
  async run({ input, connect }) {
    const from = input.time('--from') ?? '';
    const to = input.time('--to', 'now') ?? '';
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    const recursive = input.flag('--recursive');
    input.selector(0, { recursive });
    const account = (await input.account('--account')) ?? '';
    const region = await input.region('--region');
    const hub = await connect();
    const { diff: compare } = await import('@ssmhub/client/preview');
    const { diffTable } = await import('./render.js');
    const result = await compare(hub, { path: input.argument(0), from, to, account, region, recursive });
    return { json: result.entries, table: (layout) => diffTable(result.entries, layout), stats: result.stats };
  },
};

const changes: CommandSpec = {
  name: 'changes',
  description:
    'the change feed: who changed what, when (restores included), oldest first. Cost: two queries a year of range plus one per day and shard that had changes (one a month with --account); no limit on the range',
  options: [
    { flags: '--since <time>', description: `first moment, inclusive: ${TIME_HELP}`, required: true },
    { flags: '--until <time>', description: 'last moment (default: now; inclusive)' },
    { flags: '--account <id>', description: 'only this account' },
    { flags: '--path <path>', description: 'only names under this path (any depth) or this key' },
    { flags: '--limit <n>', description: 'only the n most recent changes' },
  ],
  example: 'ssmhub changes --since -1d --path /app/ --limit 20',
  connects: true,
  async run({ input, connect, progress }) {
    const since = input.time('--since') ?? '';
    const until = input.time('--until');
    if (until !== undefined && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
    const account = await input.account('--account');
    const path = input.string('--path');
    if (path !== undefined) {
      const { parseSelector } = await import('@ssmhub/core');
      parseSelector(path, true);
    }
    const limit = input.positiveInteger('--limit');
    const hub = await connect();
    const { changes: read } = await import('@ssmhub/client/changes');
    // A progress bar on stderr once the read has taken longer than a second.
    const started = Date.now();
    let bar: Promise<Progress> | undefined;
    const result = await read(hub, {
      since,
      ...(until ? { until } : {}),
      ...(account ? { account } : {}),
      ...(path ? { path } : {}),
      onProgress: (done, total) => {
        if (!bar && Date.now() - started > 1000) bar = progress(total);
        void bar?.then((shown) => shown.update(done));
      },
    });
    void bar?.then((shown) => shown.stop());
    const records = limit === undefined ? result.records : result.records.slice(-limit);
    return recordsResult({ records, stats: result.stats }, false);
  },
};

const search: CommandSpec = {
  name: 'search',
  description: 'names across the organization with their latest state',
  arguments: [
    {
      name: '<pattern>',
      description:
        'a case-insensitive substring (db), or a glob with * and ? (/app/*/db anchored at the start; db/* anywhere in the name)',
    },
  ],
  options: [
    { flags: '--account <id>', description: 'only this account' },
    { flags: '--limit <n>', description: 'only the first n names (by account, region, name)' },
  ],
  example: "ssmhub search 'db/*' --account 111122223333 --limit 50",
  connects: true,
  async run({ input, connect }) {
    const account = await input.account('--account');
    const limit = input.positiveInteger('--limit');
    const { compilePattern, search: find } = await import('@ssmhub/client/search');
    compilePattern(input.argument(0));
    const hub = await connect();
    const result = await find(hub, { pattern: input.argument(0), ...(account ? { account } : {}) });
    const records = limit === undefined ? result.records : result.records.slice(0, limit);
    return recordsResult({ records, stats: result.stats }, false);
  },
};

const restore: CommandSpec = {
  name: 'restore',
  description: 'put a path (or key) back the way it was at a moment; a dry-run plan unless --apply',
  arguments: [{ name: '<path-or-key>', description: 'a path (/app/) or a key (/app/db)' }],
  options: [
    { flags: '--at <time>', description: `the moment to restore to: ${TIME_HELP}`, required: true },
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
  async run(context) {
    const { input, connect, progress, interactive, confirm } = context;
    const at = input.time('--at') ?? '';
    const recursive = input.flag('--recursive');
    input.selector(0, { recursive });
    if (input.flag('--all-accounts')) return runOrgRestore(context, at, recursive);
    for (const flag of ORG_ONLY_FLAGS) {
      if (input.string(flag) !== undefined || input.flag(flag))
        throw new UsageError(`${flag} goes with --all-accounts`);
    }
    const account = await input.account('--account');
    if (account === undefined) throw new UsageError('restore needs --account <id> (or --all-accounts)');
    const toAccount = await input.account('--to-account');
    const region = await input.region('--region');
    const toRegion = await input.region('--to-region');
    const kmsKey = input.string('--kms-key');
    const allowedTargets = await restoreTargets(input);
    const apply = input.flag('--apply');
    const { ConfirmationDecision, confirmationDecision, destructiveCounts } = await import('@ssmhub/core');
    // Known before any AWS call (confirmationDecision's 'refuse'): nobody can be asked, no --yes.
    if (apply && !input.flag('--yes') && !interactive) {
      throw new UsageError('--apply without a terminal needs --yes (nobody can be asked to confirm)');
    }
    const hub = await connect();
    const { applyRestore, planRestore } = await import('@ssmhub/client/restore');
    const { restoreJson, restoreTable } = await import('./render.js');
    const plan = await planRestore(hub, {
      path: input.argument(0),
      at,
      account,
      region,
      recursive,
      ...(toAccount ? { toAccount } : {}),
      ...(toRegion ? { toRegion } : {}),
      ...(kmsKey ? { fallbackKeyId: kmsKey } : {}),
      ...(allowedTargets.length > 0 ? { allowedTargets } : {}),
      force: input.flag('--force'),
    });
    const warnings = plan.emptyReason ? [plan.emptyReason] : [];
    let outcome: RestoreOutcome | undefined;
    const writes = plan.summary.put + plan.summary.delete;
    const destructive = destructiveCounts(plan.entries);
    const decision = confirmationDecision({ writes, destructive, yes: input.flag('--yes'), interactive });
    const summary = `restore ${plan.path} in ${plan.target.account}/${plan.target.region} to ${plan.at}: put ${plan.summary.put} (${destructive.overwrite} overwriting), delete ${destructive.delete}, unchanged ${plan.summary.unchanged}, refused ${plan.summary.refuse}`;
    if (apply && decision === ConfirmationDecision.ask && !(await confirm(summary, 'Apply these changes?'))) {
      throw new RestoreRefusedError('not applied: the restore was not confirmed');
    }
    if (apply) {
      const bar = await progress(plan.entries.length);
      try {
        outcome = await applyRestore(hub, plan, { onProgress: (done) => bar.update(done) });
      } finally {
        bar.stop();
      }
    }
    return {
      json: restoreJson(plan, outcome),
      table: (layout) => restoreTable(plan, outcome, layout),
      stats: plan.stats,
      warnings: [...plan.warnings, ...warnings],
      exitCode: outcome && outcome.status !== 'succeeded' ? ExitCode.failure : ExitCode.success,
    };
  },
};

/** A progress bar drawn from the first update on, when the total is known. */
function lazyProgress(progress: CommandContext['progress']): {
  update: (done: number, total: number) => void;
  stop: () => Promise<void>;
} {
  let bar: Promise<Progress> | undefined;
  return {
    update: (done, total) => {
      bar ??= progress(total);
      void bar.then((b) => b.update(done));
    },
    stop: async () => (await bar)?.stop(),
  };
}

/** `--allowed-targets` or SSMHUB_RESTORE_TARGETS, each account checked. */
async function restoreTargets(input: CommandInput): Promise<string[]> {
  const allowedTargets = (input.string('--allowed-targets') ?? input.env(CliEnvironment.restoreTargets) ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  for (const target of allowedTargets) if (target !== '*') await input.checkAccount('--allowed-targets', target);
  return allowedTargets;
}

/** Options of an organization-wide restore only. */
const ORG_ONLY_FLAGS = [
  '--regions',
  '--restore-id',
  '--details',
  '--location-concurrency',
  '--writes-per-second',
] as const;

/** `restore --all-accounts`: plan every location, or apply (resumably), with progress. */
async function runOrgRestore(
  { input, connect, progress, interactive, confirm, note }: CommandContext,
  at: string,
  recursive: boolean,
): Promise<CommandResult> {
  for (const flag of ['--account', '--region', '--to-account', '--to-region']) {
    if (input.string(flag) !== undefined)
      throw new UsageError(`--all-accounts restores every location in place: drop ${flag}`);
  }
  const regions = input
    .string('--regions')
    ?.split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  const { checkRegion } = await import('@ssmhub/client/locations');
  for (const region of regions ?? []) checkRegion(region);
  const kmsKey = input.string('--kms-key');
  const allowedTargets = await restoreTargets(input);
  const restoreId = input.string('--restore-id');
  const locationConcurrency = input.positiveInteger('--location-concurrency');
  const writesPerSecond = input.positiveInteger('--writes-per-second');
  const apply = input.flag('--apply');
  const yes = input.flag('--yes');
  if (restoreId !== undefined && !apply)
    throw new UsageError('--restore-id goes with --apply (a plan records nothing)');
  if (apply && !yes && !interactive) {
    throw new UsageError('--apply without a terminal needs --yes (nobody can be asked to confirm)');
  }
  const options = {
    path: input.argument(0),
    at,
    recursive,
    ...(regions ? { regions } : {}),
    ...(kmsKey ? { fallbackKeyId: kmsKey } : {}),
    ...(allowedTargets.length > 0 ? { allowedTargets } : {}),
    ...(locationConcurrency ? { locationConcurrency } : {}),
    force: input.flag('--force'),
  };
  const hub = await connect();
  const { applyOrgRestore, planOrgRestore } = await import('@ssmhub/client/orgRestore');
  const { orgRestoreJson, orgRestoreTable, orgPlanSummary } = await import('./render.js');
  // With --yes the locations are planned as they are applied: no plan of the whole organization first.
  let plan: OrgRestorePlan | undefined;
  if (!apply || !yes) {
    const bar = lazyProgress(progress);
    try {
      plan = await planOrgRestore(hub, options, { details: input.flag('--details'), onProgress: bar.update });
    } finally {
      await bar.stop();
    }
  }
  let outcome: OrgRestoreOutcome | undefined;
  if (apply) {
    if (
      plan &&
      plan.totals.put + plan.totals.delete > 0 &&
      !(await confirm(orgPlanSummary(plan), 'Apply these changes?'))
    ) {
      throw new RestoreRefusedError('not applied: the restore was not confirmed');
    }
    const bar = lazyProgress(progress);
    try {
      outcome = await applyOrgRestore(hub, {
        ...options,
        ...(restoreId ? { restoreId } : {}),
        ...(writesPerSecond ? { writesPerSecond } : {}),
        onStart: (start) =>
          note(
            `restore ${start.restoreId}: ${start.resumed ? `continuing, ${start.done} of ${start.locations} locations done earlier` : `${start.locations} locations`}; if interrupted, re-run with --restore-id ${start.restoreId}`,
          ),
        onProgress: bar.update,
      });
    } finally {
      await bar.stop();
    }
  }
  const troubled = outcome
    ? outcome.locations
        .filter((l) => l.status !== 'succeeded' && l.status !== 'done-earlier')
        .map((l) => ({ ...l, state: l.status }))
    : (plan?.locations ?? []).filter((l) => l.state !== 'planned');
  return {
    json: orgRestoreJson(plan, outcome),
    table: (layout) => orgRestoreTable(plan, outcome, layout),
    stats: outcome?.stats ?? plan?.stats,
    warnings: troubled.map((l) => `${l.account}/${l.region} ${l.state}${l.message ? `: ${l.message}` : ''}`),
    exitCode:
      (outcome && outcome.status !== 'succeeded') || troubled.some((l) => l.state === 'failed')
        ? ExitCode.failure
        : ExitCode.success,
  };
}

const reconcile: CommandSpec = {
  name: 'reconcile',
  description: 'sweep an account now: compare SSM with the index and write what events missed (versions, deletions)',
  options: [
    {
      flags: '--account <id>',
      description: 'the account to sweep (must be in the organization or the allow-list)',
      required: true,
    },
    {
      flags: '--region <region>',
      description: 'only this region (default: every region the hub knows for the account; the sandbox: its regions)',
    },
    { flags: '--full', description: "read every parameter's history, not only where SSM and the index differ" },
  ],
  example: 'ssmhub reconcile --account 111122223333 --region eu-west-1 --full',
  connects: true,
  async run({ input, connect }) {
    const account = (await input.account('--account')) ?? '';
    const region = await input.region('--region');
    const hub = await connect();
    const { reconcile: sweep } = await import('@ssmhub/client/reconcile');
    const { reconcileTable } = await import('./render.js');
    const result = await sweep(hub, {
      account,
      ...(region ? { region } : {}),
      ...(input.flag('--full') ? { full: true } : {}),
    });
    return {
      json: result.sweeps,
      table: (layout) => reconcileTable(result, layout),
      stats: result.stats,
      warnings: result.failures.map(
        (f) =>
          `${f.account}${f.region ? `/${f.region}` : ''} could not be swept: ${f.error.name}${f.error.status ? ` (HTTP ${f.error.status})` : ''}`,
      ),
      exitCode:
        result.failures.length > 0 || result.sweeps.some((s) => !s.complete) ? ExitCode.failure : ExitCode.success,
    };
  },
};

const status: CommandSpec = {
  name: 'status',
  description:
    'per account and region: last event seen, last sweep, parameters indexed, coverage, lag; queue and DLQ depth',
  options: [],
  example: 'ssmhub status --hub-region eu-west-1',
  connects: true,
  async run({ connect }) {
    const hub = await connect();
    const { status: read } = await import('@ssmhub/client/status');
    const { statusTable } = await import('./render.js');
    const result = await read(hub);
    return { json: result, table: (layout) => statusTable(result, layout), stats: result.stats };
  },
};

const verify: CommandSpec = {
  name: 'verify',
  description:
    'restore testing: stored versions exist at their recorded VersionId, match their SHA-256, decrypt and match the index (exit 1 on any failure)',
  options: [
    { flags: '--account <id>', description: 'only this account (default: every indexed account)' },
    { flags: '--region <region>', description: 'only this region (default: every region)' },
    { flags: '--sample <n>', description: 'check n versions chosen at random across accounts and regions' },
    { flags: '--all', description: 'check every version (the default when --sample is not given)' },
  ],
  example: 'ssmhub verify --sample 100',
  connects: true,
  async run({ input, connect, progress }) {
    const account = await input.account('--account');
    const region = await input.region('--region');
    const sample = input.positiveInteger('--sample');
    if (sample !== undefined && input.flag('--all')) throw new UsageError('--sample and --all exclude each other');
    const hub = await connect();
    const { verify: check } = await import('@ssmhub/client/verify');
    const { verifyTable, verifyWarnings } = await import('./render.js');
    // The bar is drawn once the number of versions to check is known.
    let bar: ReturnType<typeof progress> | undefined;
    let report: Awaited<ReturnType<typeof check>>;
    try {
      report = await check(hub, {
        ...(account ? { account } : {}),
        ...(region ? { region } : {}),
        ...(sample !== undefined ? { sample } : {}),
        onProgress: (done, total) => {
          bar ??= progress(total);
          void bar.then((b) => b.update(done));
        },
      });
    } finally {
      if (bar) (await bar).stop();
    }
    return {
      json: report,
      table: (layout) => verifyTable(report, layout),
      stats: report.stats,
      warnings: verifyWarnings(report),
      exitCode: report.totals.failed > 0 ? ExitCode.failure : ExitCode.success,
    };
  },
};

/** The part of @ssmhub/console the CLI calls (imported by name at run time: cli must not depend on console). */
interface ConsoleModule {
  serveConsole(
    hub: HubConnection,
    options: {
      port?: number;
      open?: boolean;
      connectionFlags?: readonly string[];
      onListening?: (url: string) => void;
    },
  ): Promise<object>;
}

const consoleCommand: CommandSpec = {
  name: 'console',
  description:
    'the local web console (heatmap, change feed, timelines, point in time, restore plans); read-only, until Ctrl-C',
  options: [
    { flags: '--port <port>', description: 'the port on 127.0.0.1 (default: a free one)' },
    { flags: '--no-open', description: 'do not open the browser (it opens only when stderr is a terminal)' },
  ],
  example: 'ssmhub console --port 8377',
  connects: true,
  async run({ input, connect }) {
    const port = input.string('--port');
    if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) {
      throw new UsageError(`--port '${port}' is not a port number (0-65535)`);
    }
    const hub = await connect();
    // The same connection flags in the restore commands the console shows.
    const connectionFlags = ['--profile', '--endpoint', '--hub-region', '--table', '--bucket'].flatMap((flag) => {
      const value = input.string(flag);
      return value === undefined ? [] : [flag, value];
    });
    const specifier = '@ssmhub/console';
    const { serveConsole } = (await import(specifier).catch((error: { code?: string }) => {
      if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw new ClientError('the console is not installed: npm install @ssmhub/console');
    })) as ConsoleModule;
    const report = await serveConsole(hub, {
      ...(port !== undefined ? { port: Number(port) } : {}),
      // Commander sets `open` unless --no-open was given.
      open: input.flag('--open') && process.stderr.isTTY === true,
      connectionFlags,
      onListening: (url) => process.stderr.write(`ssmhub console: ${url}\n(read-only; Ctrl-C stops it)\n`),
    });
    return { json: report, table: () => `console stopped: ${JSON.stringify(report)}` };
  },
};

/** Every command of `ssmhub`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  history,
  preview,
  diff,
  changes,
  search,
  restore,
  reconcile,
  status,
  verify,
  security.compare,
  security.findings,
  security.coverage,
  security.watch,
  doctor,
  consoleCommand,
  local.up,
  local.pump,
  local.env,
  local.down,
];
