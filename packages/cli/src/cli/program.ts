import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { changes } from '../lib/changes.js';
import { history } from '../lib/history.js';
import { createHub } from '../lib/hub.js';
import type { Hub, HubOptions } from '../lib/hub.js';
import { diff, preview } from '../lib/preview.js';
import { applyRestore, planRestore } from '../lib/restore.js';
import { reconcile } from '../lib/reconcile.js';
import { search } from '../lib/search.js';
import type { RequestStatsSnapshot } from '../lib/stats.js';
import { status } from '../lib/status.js';
import { InvalidInputError, parseSelector } from '@ssmhub/core';
import { checkAccount, checkRegion } from '../lib/locations.js';
import { moment } from '../lib/time.js';
import { describeError, exitCodeOf } from './errors.js';
import {
  defaultFormat,
  diffTable,
  reconcileTable,
  recordsTable,
  restoreJson,
  restoreTable,
  statusTable,
} from './render.js';
import type { OutputFormat } from './render.js';

/** Options every command takes. */
interface CommonOptions {
  readonly output?: OutputFormat;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly hubRegion?: string;
  readonly table?: string;
  readonly bucket?: string;
  readonly stats?: boolean;
}

/** Where the CLI writes (tests swap them). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
};

function withCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-o, --output <format>', 'table or json (default: table on a terminal, json otherwise)').choices([
        'table',
        'json',
      ]),
    )
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .option(
      '--endpoint <url>',
      'endpoint of every AWS call (default: $AWS_ENDPOINT_URL, or the sandbox after `ssmhub local up`)',
    )
    .option('--hub-region <region>', "the hub's region (default: $SSMHUB_REGION, $AWS_REGION)")
    .option('--table <name>', 'index table (default: $SSMHUB_TABLE or ssmhub-index)')
    .option('--bucket <name>', 'backup bucket (default: $SSMHUB_BUCKET or ssmhub-backup-<hub account>-<hub region>)')
    .option('--stats', 'print the AWS requests the command made on stderr');
}

function hubOptions(options: CommonOptions): HubOptions {
  return {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.hubRegion ? { hubRegion: options.hubRegion } : {}),
    ...(options.table ? { table: options.table } : {}),
    ...(options.bucket ? { bucket: options.bucket } : {}),
  };
}

/** Checks what a user typed before any AWS call, so bad input fails fast with one line. */
function precheck(input: {
  readonly times?: readonly (string | undefined)[];
  readonly path?: string;
  readonly recursive?: boolean;
  readonly key?: boolean;
  readonly accounts?: readonly (string | undefined)[];
  readonly regions?: readonly (string | undefined)[];
}): void {
  for (const time of input.times ?? []) if (time !== undefined) moment(time);
  if (input.path !== undefined) {
    const selector = parseSelector(input.path, input.recursive ?? false);
    if (input.key && selector.kind !== 'key') {
      throw new InvalidInputError(`'${input.path}' is a path: give one parameter's name (no trailing '/')`);
    }
  }
  for (const account of input.accounts ?? []) if (account !== undefined) checkAccount(account);
  for (const region of input.regions ?? []) if (region !== undefined) checkRegion(region);
}

function example(text: string): string {
  return `\nExample:\n  ${text}\n`;
}

/**
 * Builds the `ssmhub` command line.
 *
 * @example
 * await buildProgram().parseAsync(['node', 'ssmhub', 'preview', '/app/', '--at', '2026-11-21T10:00:00Z', '--account', '111122223333']);
 */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('ssmhub')
    .description('Organization-wide point-in-time backup and restore for AWS SSM Parameter Store')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    // Bad input is one line on stderr: no "(Did you mean …?)" second line.
    .showSuggestionAfterError(false);
  let endpointUsed: string | undefined;

  const format = (options: CommonOptions): OutputFormat => options.output ?? defaultFormat(io.stdoutIsTty);
  const printJson = (value: unknown): void => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  const printStats = (options: CommonOptions, stats: RequestStatsSnapshot): void => {
    if (options.stats) io.stderr(`${JSON.stringify({ stats })}\n`);
  };
  const connect = async (options: CommonOptions): Promise<Hub> => {
    endpointUsed = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
    const hub = await createHub(hubOptions(options));
    endpointUsed = hub.endpoint;
    return hub;
  };
  const action =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (error) {
        io.stderr(`ssmhub: ${describeError(error, endpointUsed)}\n`);
        process.exitCode = exitCodeOf(error);
      }
    };

  withCommonOptions(
    program
      .command('history')
      .description('every version and deletion of one parameter, oldest first')
      .argument('<name>', 'the parameter name, like /app/db/url')
      .requiredOption('--account <id>', 'the account the parameter lives in')
      .option(
        '--region <region>',
        "the parameter's region (default: the account's only indexed region, else the hub's)",
      )
      .option('--values', 'show values (read from the backup bucket)')
      .addHelpText('after', example('ssmhub history /app/db/url --account 111122223333 --region eu-west-1')),
  ).action(
    action(async (name: string, options: CommonOptions & { account: string; region?: string; values?: boolean }) => {
      precheck({ path: name, key: true, accounts: [options.account], regions: [options.region] });
      const hub = await connect(options);
      const result = await history(hub, {
        name,
        account: options.account,
        region: options.region,
        values: options.values,
      });
      if (format(options) === 'json') printJson(result.records);
      else io.stdout(`${recordsTable(result.records, options.values === true)}\n`);
      printStats(options, result.stats);
    }),
  );

  withCommonOptions(
    program
      .command('preview')
      .description('the parameters that existed at a moment, and their versions then')
      .argument(
        '<path-or-key>',
        "a path (/app/ — trailing slash) or a key (/app/db); '/app' with --recursive is the path",
      )
      .requiredOption('--at <time>', 'ISO 8601 (no zone means UTC) or epoch seconds; inclusive')
      .requiredOption('--account <id>', 'the account')
      .option('--region <region>', "the region (default: the account's only indexed region, else the hub's)")
      .option('--recursive', 'every depth below the path, not only direct children')
      .option('--values', 'show values (read from the backup bucket)')
      .addHelpText(
        'after',
        example('ssmhub preview /app/ --recursive --at 2026-11-21T10:00:00Z --account 111122223333'),
      ),
  ).action(
    action(
      async (
        path: string,
        options: CommonOptions & {
          at: string;
          account: string;
          region?: string;
          recursive?: boolean;
          values?: boolean;
        },
      ) => {
        precheck({
          times: [options.at],
          path,
          recursive: options.recursive,
          accounts: [options.account],
          regions: [options.region],
        });
        const hub = await connect(options);
        const result = await preview(hub, {
          path,
          at: options.at,
          account: options.account,
          region: options.region,
          recursive: options.recursive,
          values: options.values,
        });
        if (format(options) === 'json') printJson(result.records);
        else io.stdout(`${recordsTable(result.records, options.values === true)}\n`);
        printStats(options, result.stats);
      },
    ),
  );

  withCommonOptions(
    program
      .command('diff')
      .description('what was added, removed and changed between two moments')
      .argument('<path>', 'a path (/app/) or a key')
      .requiredOption('--from <time>', 'first moment (ISO 8601 or epoch seconds)')
      .option('--to <time>', 'second moment (default: now)')
      .requiredOption('--account <id>', 'the account')
      .option('--region <region>', "the region (default: the account's only indexed region, else the hub's)")
      .option('--recursive', 'every depth below the path')
      .addHelpText(
        'after',
        example(
          'ssmhub diff /app/ --recursive --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z --account 111122223333',
        ),
      ),
  ).action(
    action(
      async (
        path: string,
        options: CommonOptions & { from: string; to?: string; account: string; region?: string; recursive?: boolean },
      ) => {
        precheck({
          times: [options.from, options.to],
          path,
          recursive: options.recursive,
          accounts: [options.account],
          regions: [options.region],
        });
        const hub = await connect(options);
        const result = await diff(hub, {
          path,
          from: options.from,
          ...(options.to ? { to: options.to } : {}),
          account: options.account,
          region: options.region,
          recursive: options.recursive,
        });
        if (format(options) === 'json') printJson(result.entries);
        else io.stdout(`${diffTable(result.entries)}\n`);
        printStats(options, result.stats);
      },
    ),
  );

  withCommonOptions(
    program
      .command('changes')
      .description('the change feed: who changed what, when (restores included)')
      .requiredOption('--since <time>', 'first moment (ISO 8601 or epoch seconds; inclusive)')
      .option('--until <time>', 'last moment (default: now; inclusive)')
      .option('--account <id>', 'only this account')
      .option('--path <path>', 'only names under this path (any depth) or this key')
      .addHelpText('after', example('ssmhub changes --since 2026-11-21T00:00:00Z --path /app/')),
  ).action(
    action(async (options: CommonOptions & { since: string; until?: string; account?: string; path?: string }) => {
      precheck({ times: [options.since, options.until], accounts: [options.account] });
      if (options.path !== undefined) precheck({ path: options.path, recursive: true });
      const hub = await connect(options);
      const result = await changes(hub, {
        since: options.since,
        ...(options.until ? { until: options.until } : {}),
        ...(options.account ? { account: options.account } : {}),
        ...(options.path ? { path: options.path } : {}),
      });
      if (format(options) === 'json') printJson(result.records);
      else io.stdout(`${recordsTable(result.records, false)}\n`);
      printStats(options, result.stats);
    }),
  );

  withCommonOptions(
    program
      .command('search')
      .description('names across the organization with their latest state')
      .argument('<pattern>', 'a glob (/app/*/db; * and ?) or a case-insensitive substring')
      .option('--account <id>', 'only this account')
      .addHelpText('after', example("ssmhub search '/app/*/db/*' --account 111122223333")),
  ).action(
    action(async (pattern: string, options: CommonOptions & { account?: string }) => {
      precheck({ accounts: [options.account] });
      const hub = await connect(options);
      const result = await search(hub, { pattern, ...(options.account ? { account: options.account } : {}) });
      if (format(options) === 'json') printJson(result.records);
      else io.stdout(`${recordsTable(result.records, false)}\n`);
      printStats(options, result.stats);
    }),
  );

  withCommonOptions(
    program
      .command('restore')
      .description('put a path (or key) back the way it was at a moment; a dry-run plan unless --apply')
      .argument('<path-or-key>', 'a path (/app/) or a key (/app/db)')
      .requiredOption('--at <time>', 'the moment to restore to (ISO 8601 or epoch seconds)')
      .requiredOption('--account <id>', 'the account whose history is restored')
      .option('--region <region>', "its region (default: the account's only indexed region, else the hub's)")
      .option('--recursive', 'every depth below the path')
      .option('--to-account <id>', 'restore into this account instead')
      .option('--to-region <region>', 'restore into this region instead')
      .option(
        '--kms-key <id>',
        'key for SecureStrings whose original key is not usable in the target (default: alias/aws/ssm)',
      )
      .option('--apply', 'make the change (assumes SSMHubRestorer in the target)')
      .addHelpText(
        'after',
        example('ssmhub restore /app/ --recursive --at 2026-11-21T10:00:00Z --account 111122223333 --apply'),
      ),
  ).action(
    action(
      async (
        path: string,
        options: CommonOptions & {
          at: string;
          account: string;
          region?: string;
          recursive?: boolean;
          toAccount?: string;
          toRegion?: string;
          kmsKey?: string;
          apply?: boolean;
        },
      ) => {
        precheck({
          times: [options.at],
          path,
          recursive: options.recursive,
          accounts: [options.account, options.toAccount],
          regions: [options.region, options.toRegion],
        });
        const hub = await connect(options);
        const plan = await planRestore(hub, {
          path,
          at: options.at,
          account: options.account,
          region: options.region,
          recursive: options.recursive,
          ...(options.toAccount ? { toAccount: options.toAccount } : {}),
          ...(options.toRegion ? { toRegion: options.toRegion } : {}),
          ...(options.kmsKey ? { fallbackKeyId: options.kmsKey } : {}),
        });
        let outcome;
        if (options.apply) {
          const bar =
            io.stderrIsTty && plan.entries.length > 0
              ? new SingleBar({ stream: process.stderr, clearOnComplete: true })
              : undefined;
          bar?.start(plan.entries.length, 0);
          try {
            outcome = await applyRestore(hub, plan, { onProgress: (done) => bar?.update(done) });
          } finally {
            bar?.stop();
          }
        }
        if (format(options) === 'json') printJson(restoreJson(plan, outcome));
        else io.stdout(`${restoreTable(plan, outcome)}\n`);
        printStats(options, plan.stats);
        if (outcome && outcome.status !== 'succeeded') process.exitCode = 1;
      },
    ),
  );

  withCommonOptions(
    program
      .command('reconcile')
      .description(
        'sweep an account now: compare SSM with the index and write what events missed (versions, deletions)',
      )
      .requiredOption('--account <id>', 'the account to sweep (must be in the organization or the allow-list)')
      .option(
        '--region <region>',
        'only this region (default: every region the hub knows for the account; the sandbox: its regions)',
      )
      .option('--full', "read every parameter's history, not only where SSM and the index differ")
      .addHelpText('after', example('ssmhub reconcile --account 111122223333 --region eu-west-1 --full')),
  ).action(
    action(async (options: CommonOptions & { account: string; region?: string; full?: boolean }) => {
      precheck({ accounts: [options.account], regions: [options.region] });
      const hub = await connect(options);
      const result = await reconcile(hub, {
        account: options.account,
        ...(options.region ? { region: options.region } : {}),
        ...(options.full ? { full: true } : {}),
      });
      if (format(options) === 'json') printJson(result.sweeps);
      else io.stdout(`${reconcileTable(result)}\n`);
      printStats(options, result.stats);
      for (const f of result.failures) {
        io.stderr(
          `ssmhub: ${f.account}${f.region ? `/${f.region}` : ''} could not be swept: ${f.error.name}${f.error.status ? ` (HTTP ${f.error.status})` : ''}\n`,
        );
      }
      if (result.failures.length > 0 || result.sweeps.some((s) => !s.complete)) process.exitCode = 1;
    }),
  );

  withCommonOptions(
    program
      .command('status')
      .description(
        'per account and region: last event seen, last sweep, parameters indexed, coverage, lag; queue and DLQ depth',
      )
      .addHelpText('after', example('ssmhub status --hub-region eu-west-1')),
  ).action(
    action(async (options: CommonOptions) => {
      const hub = await connect(options);
      const result = await status(hub);
      if (format(options) === 'json') printJson(result);
      else io.stdout(`${statusTable(result)}\n`);
      printStats(options, result.stats);
    }),
  );

  const local = program
    .command('local')
    .description('the local sandbox (moto emulator, hub and member accounts)')
    .addHelpText('after', example('ssmhub local up && ssmhub local pump && ssmhub local down'));
  const sandboxCommand = (
    name: 'up' | 'pump' | 'down',
    description: string,
    fn: 'localUp' | 'localPump' | 'localDown',
  ): void => {
    local
      .command(name)
      .description(description)
      .addOption(new Option('-o, --output <format>', 'table or json').choices(['table', 'json']))
      .addHelpText('after', example(`ssmhub local ${name}`))
      .action(
        action(async (options: { output?: OutputFormat }) => {
          const specifier = '@ssmhub/sandbox';
          const sandbox = (await import(specifier)) as Record<string, unknown>;
          const run = sandbox[fn];
          if (typeof run !== 'function') throw new Error(`this build of @ssmhub/sandbox has no ${fn}`);
          const outcome: unknown = await (run as (o: object) => Promise<unknown>)({});
          if (outcome === undefined) return;
          // localDown answers whether a sandbox was running; say it in words.
          const result = typeof outcome === 'boolean' ? { stopped: outcome } : outcome;
          if ((options.output ?? defaultFormat(io.stdoutIsTty)) === 'json' || typeof result !== 'object')
            printJson(result);
          else
            io.stdout(
              `${Object.entries(result as Record<string, unknown>)
                .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                .join('\n')}\n`,
            );
        }),
      );
  };
  sandboxCommand(
    'up',
    'start the emulator and provision the hub and member accounts (prints endpoint, accounts, table, bucket)',
    'localUp',
  );
  sandboxCommand(
    'pump',
    "deliver the hub queue to the real ingest handler (as Lambda's SQS event source would)",
    'localPump',
  );
  sandboxCommand('down', 'stop the emulator', 'localDown');
  return program;
}

/** Runs the CLI on `argv` (process.argv shape). */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<void> {
  await buildProgram(io).parseAsync([...argv]);
}
