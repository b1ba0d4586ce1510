import { parseWatchedPaths, type WatchedChangeDetail } from '@ssmhub/core';
import { command } from '../command.js';
import { OutputFormat } from '../io.js';
import { textOutput } from '../textOutput.js';
import { TIME_HELP } from './options.js';

/** One watched change as a terminal line. */
function watchLine(c: WatchedChangeDetail): string {
  const version = c.version !== undefined ? ` v${c.version}` : '';
  return `${c.time} ${c.account} ${c.region} ${c.operation} ${c.name}${version}${c.who ? ` by ${c.who}` : ''}`;
}

/** `ssmhub watch`: changes under watched paths as they happen, one line each, until Ctrl-C. */
export const watch = command({
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
  read({ input }) {
    const paths = input.list('--path');
    if (paths?.length) parseWatchedPaths(paths.join(','));
    const since = input.time('--since');
    const intervalSeconds = input.positiveInteger('--interval');
    const forSeconds = input.positiveInteger('--for');
    return {
      ...(paths?.length ? { paths } : {}),
      ...(since ? { since } : {}),
      ...(intervalSeconds ? { intervalSeconds } : {}),
      ...(forSeconds ? { forSeconds } : {}),
    };
  },
  async call(params, { hub, signal, emit, format }) {
    const { watch: tail } = await import('@ssmhub/client/watch');
    // Each change is one line as it comes (JSON Lines with --output json, tab-separated with text).
    const line = (change: WatchedChangeDetail): string =>
      format === OutputFormat.json
        ? `${JSON.stringify(change)}\n`
        : format === OutputFormat.text
          ? textOutput(change)
          : `${watchLine(change)}\n`;
    return tail(hub, { ...params, signal, onChange: (change) => emit(line(change)) });
  },
  // The changes were the output; the summary goes to stderr.
  output: (count) => ({ json: null, table: () => '', text: '', warnings: [`watch stopped after ${count} change(s)`] }),
});
