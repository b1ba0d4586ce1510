import { ExitCode } from '@ssmhub/client/errors';
import { UsageError } from '../errors.js';
import type { CommandSpec, OptionSpec } from './command.js';

// The security team's commands (docs/security-questions.md): compare, findings,
// coverage, watch. Declared as data like the others; their code is imported when they run.

const TIME_HELP = 'ISO 8601 (no zone means UTC), epoch seconds, now, or relative (-2h, -7d)';
const REGION_OPTION: OptionSpec = {
  flags: '--region <region>',
  description: "the region (default: the account's only indexed region, else the hub's)",
};

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export const compare: CommandSpec = {
  name: 'compare',
  description: 'drift between two locations under a path, by keyed digests: nothing is decrypted unless --values',
  arguments: [{ name: '<path>', description: 'a path (/app/) or a key (/app/db)' }],
  options: [
    { flags: '--account <id>', description: 'the first (reference) account', required: true },
    REGION_OPTION,
    { flags: '--with-account <id>', description: 'the account compared with it (or --all-accounts)' },
    { flags: '--with-region <region>', description: 'its region (default: the first region)' },
    { flags: '--all-accounts', description: 'compare every account the hub knows in the region with the first' },
    { flags: '--at <time>', description: `compare both sides as they were then: ${TIME_HELP} (default: now)` },
    { flags: '--recursive', description: 'every depth below the path' },
    { flags: '--values', description: 'read the values of the names that differ (S3 reads, decrypted)' },
  ],
  example: 'ssmhub compare /baseline/ --recursive --account 111122223333 --with-account 444455556666',
  connects: true,
  async run({ input, connect }) {
    const { at, recursive, account, region } = await input.pathAtMoment();
    const withAccount = await input.account('--with-account');
    const withRegion = await input.region('--with-region');
    const all = input.flag('--all-accounts');
    const values = input.flag('--values');
    if (all && (withAccount || withRegion || values)) {
      throw new UsageError(
        '--all-accounts compares every account: leave out --with-account, --with-region and --values',
      );
    }
    if (!all && !withAccount && !withRegion) {
      throw new UsageError('give --with-account (and/or --with-region), or --all-accounts');
    }
    const hub = await connect();
    const lib = await import('@ssmhub/client/compare');
    const render = await import('./renderSecurity.js');
    const path = input.argument(0);
    if (all) {
      const result = await lib.compareAllAccounts(hub, { path, account, region, at, recursive });
      return {
        json: result,
        table: (layout) => render.compareAllTable(result, layout),
        stats: result.stats,
      };
    }
    const result = await lib.compare(hub, {
      path,
      account,
      region,
      withAccount: withAccount ?? account,
      ...(withRegion ? { withRegion } : {}),
      at,
      recursive,
      values,
    });
    return { json: result, table: (layout) => render.compareTable(result, layout), stats: result.stats };
  },
};

export const findings: CommandSpec = {
  name: 'findings',
  description: 'exposed secrets and posture: current findings org-wide, when each appeared (and was fixed)',
  options: [
    { flags: '--account <id>', description: 'only this account' },
    { flags: '--rule <id>', description: 'only this rule (aws-access-key-id, private-key, jwt, ...)' },
    { flags: '--fixed', description: 'also the findings fixed since, with the version that fixed them' },
  ],
  example: 'ssmhub findings --rule aws-access-key-id',
  connects: true,
  async run({ input, connect }) {
    const account = await input.account('--account');
    const rule = input.string('--rule');
    const { FINDING_DESCRIPTIONS, isFindingRule } = await import('@ssmhub/core');
    if (rule !== undefined && !isFindingRule(rule)) {
      throw new UsageError(`unknown rule '${rule}' (rules: ${Object.keys(FINDING_DESCRIPTIONS).join(', ')})`);
    }
    const hub = await connect();
    const lib = await import('@ssmhub/client/findings');
    const render = await import('./renderSecurity.js');
    const result = await lib.findings(hub, {
      ...(account ? { account } : {}),
      ...(rule ? { rule } : {}),
      fixed: input.flag('--fixed'),
    });
    return {
      json: result.findings,
      table: (layout) => render.findingsTable(result.findings, layout),
      stats: result.stats,
    };
  },
};

export const coverage: CommandSpec = {
  name: 'coverage',
  description: `every organization account x region: heard from or not, last event and sweep, names, findings; exit ${ExitCode.gap} on any gap`,
  options: [
    {
      flags: '--regions <list>',
      description: 'comma-separated regions (default: $SSMHUB_MEMBER_REGIONS, else the regions the hub knows)',
    },
    {
      flags: '--stale-after <hours>',
      description: 'hours without an event or sweep that make a location stale (default 24)',
    },
    { flags: '--include-management-account', description: "also the organization's management account" },
  ],
  example: 'ssmhub coverage --regions eu-west-1,us-east-1',
  connects: true,
  async run({ input, connect }) {
    const regions = list(input.string('--regions'));
    const staleAfterHours = input.positiveInteger('--stale-after');
    const hub = await connect();
    const lib = await import('@ssmhub/client/coverage');
    const render = await import('./renderSecurity.js');
    const result = await lib.coverage(hub, {
      ...(regions.length > 0 ? { regions } : {}),
      ...(staleAfterHours ? { staleAfterHours } : {}),
      includeManagementAccount: input.flag('--include-management-account'),
    });
    return {
      json: result,
      table: (layout) => render.coverageTable(result, layout),
      stats: result.stats,
      ...(result.gaps > 0
        ? {
            exitCode: ExitCode.gap,
            warnings: [`${result.gaps} account/region location(s) never reported or went stale`],
          }
        : {}),
    };
  },
};

export const watch: CommandSpec = {
  name: 'watch',
  description: 'tail changes under watched paths (the hub bus events, from the change feed) until Ctrl-C',
  options: [
    {
      flags: '--path <patterns>',
      description: 'comma-separated patterns like /prod/** (default: $SSMHUB_WATCHED_PATHS)',
    },
    { flags: '--since <time>', description: `also changes from this moment: ${TIME_HELP} (default: now)` },
    { flags: '--interval <seconds>', description: 'seconds between reads of the change feed (default 5)' },
    { flags: '--for <seconds>', description: 'stop after this many seconds' },
  ],
  example: "ssmhub watch --path '/prod/**'",
  connects: true,
  streams: true,
  async run({ input, connect, emit, signal }) {
    const paths = list(input.string('--path'));
    if (paths.length > 0) {
      const { parseWatchedPaths } = await import('@ssmhub/core');
      parseWatchedPaths(paths.join(','));
    }
    const since = input.time('--since');
    const intervalSeconds = input.positiveInteger('--interval');
    const forSeconds = input.positiveInteger('--for');
    const json =
      input.string('--output') === 'json' || (input.string('--output') === undefined && !process.stdout.isTTY);
    const hub = await connect();
    const lib = await import('@ssmhub/client/watch');
    const render = await import('./renderSecurity.js');
    const count = await lib.watch(hub, {
      ...(paths.length > 0 ? { paths } : {}),
      ...(since ? { since } : {}),
      ...(intervalSeconds ? { intervalSeconds } : {}),
      ...(forSeconds ? { forSeconds } : {}),
      signal,
      onChange: (change) => emit(`${json ? JSON.stringify(change) : render.watchLine(change)}\n`),
    });
    // Each change was one line (JSON Lines with --output json); the summary goes to stderr.
    return { json: null, table: () => '', text: '', warnings: [`watch stopped after ${count} change(s)`] };
  },
};
