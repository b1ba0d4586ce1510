import { ExitCode } from '@ssmhub/client/errors';
import type { OptionSpec } from '../command.js';

// Options and help text several commands share, worded once.

/** How every time option is written. */
export const TIME_HELP = 'ISO 8601 (no zone means UTC), epoch seconds, now, or relative (-2h, -7d)';

/** The account a command reads. */
export const ACCOUNT_OPTION: OptionSpec = { flags: '--account <id>', description: 'the account', required: true };

/** The one account a command that reads every account can be narrowed to. */
export const ACCOUNT_FILTER_OPTION: OptionSpec = { flags: '--account <id>', description: 'only this account' };

export const REGION_OPTION: OptionSpec = {
  flags: '--region <region>',
  description: "the region (default: the account's only indexed region, else the hub's)",
};

export const RECURSIVE_OPTION: OptionSpec = { flags: '--recursive', description: 'every depth below the path' };

export const VALUES_OPTION: OptionSpec = {
  flags: '--values',
  description: 'show values (read from the backup bucket)',
};

/** A moment before the hub covered the location is answered with a warning; --strict makes it a failure. */
export const STRICT_OPTION: OptionSpec = {
  flags: '--strict',
  description: "exit 1 when the moment is before the hub's coverage of the location (default: warn on stderr, exit 0)",
};

/** The exit code of a point-in-time answer: 1 under --strict when the moment is before the hub's coverage. */
export function strictExitCode(strict: boolean, coverageWarnings: readonly string[]): ExitCode | undefined {
  return strict && coverageWarnings.length > 0 ? ExitCode.failure : undefined;
}
