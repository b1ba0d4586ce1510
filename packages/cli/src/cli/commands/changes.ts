import { parsePathFilter } from '@ssmhub/core';
import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { ACCOUNT_FILTER_OPTION, TIME_HELP } from './options.js';
import { recordsOutput } from './recordsOutput.js';

/** The change feed is read with a progress bar once it has taken longer than this. */
const PROGRESS_AFTER_MS = 1000;

/** `ssmhub changes`: the organization's change feed over a range of time. */
export const changes = command({
  name: 'changes',
  description:
    'the change feed: who changed what, when (restores included), oldest first. Cost: two queries a year of range plus one per day and shard that had changes (one a month with --account); no limit on the range',
  options: [
    { flags: '--since <time>', description: `first moment, inclusive: ${TIME_HELP}`, required: true },
    { flags: '--until <time>', description: 'last moment (default: now; inclusive)' },
    ACCOUNT_FILTER_OPTION,
    { flags: '--path <path>', description: "only names under this path (any depth) or this key; starts with '/'" },
    { flags: '--limit <n>', description: 'only the n most recent changes' },
  ],
  example: 'ssmhub changes --since -1d --path /app/ --limit 20',
  connects: true,
  async read({ input }) {
    const since = input.time('--since') ?? '';
    const until = input.time('--until');
    if (until !== undefined && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
    const account = await input.account('--account');
    const path = input.string('--path');
    if (path !== undefined) parsePathFilter(path);
    const limit = input.positiveInteger('--limit');
    return {
      options: { since, ...(until ? { until } : {}), ...(account ? { account } : {}), ...(path ? { path } : {}) },
      limit,
    };
  },
  async call({ options }, { hub, withProgress }) {
    const { changes: read } = await import('@ssmhub/client/changes');
    return withProgress((onProgress) => read(hub, { ...options, onProgress }), { delayMs: PROGRESS_AFTER_MS });
  },
  output: (result, { limit }, render) =>
    recordsOutput({ records: limit === undefined ? result.records : result.records.slice(-limit) }, false, render),
});
