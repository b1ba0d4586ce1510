import type { CompareAllOptions, CompareOptions } from '@ssmhub/client/compare';
import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { RECURSIVE_OPTION, REGION_OPTION, STRICT_OPTION, TIME_HELP, strictExitCode } from './options.js';

/** `ssmhub compare`: drift between two locations, or between one and every other account. */
export const compare = command({
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
    RECURSIVE_OPTION,
    { flags: '--values', description: 'read the values of the names that differ (S3 reads, decrypted)' },
    STRICT_OPTION,
  ],
  example: 'ssmhub compare /baseline/ --recursive --account 111122223333 --with-account 444455556666',
  connects: true,
  async read({
    input,
  }): Promise<
    | { all: true; options: CompareAllOptions; strict: boolean }
    | { all: false; options: CompareOptions; strict: boolean }
  > {
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
    const path = input.argument(0);
    const strict = input.flag('--strict');
    if (all) return { all, options: { path, account, region, at, recursive }, strict };
    return {
      all,
      strict,
      options: {
        path,
        account,
        region,
        withAccount: withAccount ?? account,
        ...(withRegion ? { withRegion } : {}),
        at,
        recursive,
        values,
      },
    };
  },
  async call(params, { hub }) {
    const library = await import('@ssmhub/client/compare');
    return params.all ? library.compareAllAccounts(hub, params.options) : library.compare(hub, params.options);
  },
  output: (result, { strict }, render) => {
    const gaps = result.coverageWarnings;
    const exitCode = strictExitCode(strict, gaps);
    return {
      table: (layout) =>
        'reference' in result ? render.compareAllTable(result, layout) : render.compareTable(result, layout),
      ...(gaps.length > 0 ? { warnings: gaps } : {}),
      ...(exitCode === undefined ? {} : { exitCode }),
    };
  },
});
