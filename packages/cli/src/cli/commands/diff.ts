import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import {
  ACCOUNT_OPTION,
  RECURSIVE_OPTION,
  REGION_OPTION,
  STRICT_OPTION,
  TIME_HELP,
  strictExitCode,
} from './options.js';

/** `ssmhub diff`: what changed under a path between two moments. */
export const diff = command({
  name: 'diff',
  description: 'what was added, removed and changed between two moments',
  arguments: [{ name: '<path>', description: 'a path (/app/) or a key' }],
  options: [
    { flags: '--from <time>', description: `first moment: ${TIME_HELP}`, required: true },
    { flags: '--to <time>', description: 'second moment, not before --from (default: now)' },
    ACCOUNT_OPTION,
    REGION_OPTION,
    RECURSIVE_OPTION,
    STRICT_OPTION,
  ],
  example: 'ssmhub diff /app/ --recursive --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z --account 111122223333',
  connects: true,
  async read({ input }) {
    const from = input.time('--from') ?? '';
    const to = input.time('--to', 'now') ?? '';
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    const recursive = input.flag('--recursive');
    input.selector(0, { recursive });
    const { account = '', region } = await input.location();
    return {
      options: { path: input.argument(0), from, to, account, region, recursive },
      strict: input.flag('--strict'),
    };
  },
  async call({ options }, { hub }) {
    return (await import('@ssmhub/client/preview')).diff(hub, options);
  },
  output: (result, { strict }, render) => {
    const exitCode = strictExitCode(strict, result.coverageWarnings);
    return {
      json: result.entries,
      table: (layout) => render.diffTable(result.entries, layout),
      ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
      ...(exitCode === undefined ? {} : { exitCode }),
    };
  },
});
