import { HubEnvironment, Operation, isWatched, parseWatchedPaths } from '@ssmhub/core';
import type { WatchedChangeDetail, WatchedPath } from '@ssmhub/core';
import { changes } from './changes.js';
import type { HubConnection } from './hub.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';

export interface WatchOptions {
  /** Watched-path patterns (`/prod/**`). @default - $SSMHUB_WATCHED_PATHS, else every name */
  readonly paths?: readonly string[];
  /** Report changes from this moment on. @default - now */
  readonly since?: TimeInput;
  /** Seconds between two reads of the change feed. @default 5 */
  readonly intervalSeconds?: number;
  /** Stop after this many seconds. @default - never (until `signal` aborts) */
  readonly forSeconds?: number;
  readonly signal?: AbortSignal;
  /** Environment read for the default patterns (tests). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called once per change, oldest first, each change once. */
  readonly onChange: (change: WatchedChangeDetail) => void;
}

/**
 * Changes become visible in the feed when ingested, under their SSM time, which may be some
 * seconds before: every read looks back this far and skips what it already reported.
 */
const LOOK_BACK_MS = 5 * 60_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Tails the changes under watched paths from the terminal: the same changes, with the same
 * detail, the hub puts on its bus as `ssmhub Watched Parameter Changed` events. It reads the
 * index's change feed every few seconds, so it needs only the read access every `ssmhub` command
 * has (no queue or rule is created). Labels and restores are left out, as on the bus.
 *
 * @returns how many changes were reported
 * @example
 * await watch(hub, { paths: ['/prod/**'], onChange: (c) => console.log(JSON.stringify(c)) });
 */
export async function watch(hub: HubConnection, options: WatchOptions): Promise<number> {
  const patterns: WatchedPath[] = options.paths?.length
    ? parseWatchedPaths(options.paths.join(','))
    : parseWatchedPaths((options.env ?? process.env)[HubEnvironment.watchedPaths]);
  const intervalMs = (options.intervalSeconds ?? 5) * 1000;
  const stopAt = options.forSeconds === undefined ? Infinity : Date.now() + options.forSeconds * 1000;
  const start = moment(options.since ?? new Date());
  const reported = new Map<string, string>();
  let count = 0;
  let since = start;
  for (;;) {
    const now = new Date();
    const { records } = await changes(hub, { since, until: now });
    for (const record of records) {
      if (record.operation === 'Restore' || record.operation === Operation.label) continue;
      if (patterns.length > 0 && !isWatched(patterns, record.name)) continue;
      const key = `${record.account}#${record.region}#${record.name}#${record.time}#${record.operation}#${record.version ?? ''}`;
      if (reported.has(key)) continue;
      reported.set(key, record.time);
      count += 1;
      options.onChange({
        account: record.account,
        region: record.region,
        name: record.name,
        ...(record.version !== undefined && record.operation !== Operation.delete ? { version: record.version } : {}),
        operation: record.operation,
        ...(record.lastModifiedUser && record.operation !== Operation.delete ? { who: record.lastModifiedUser } : {}),
        time: record.time,
      });
    }
    since = new Date(Math.max(Date.parse(start), now.getTime() - LOOK_BACK_MS)).toISOString();
    for (const [key, time] of reported) if (Date.parse(time) < now.getTime() - 2 * LOOK_BACK_MS) reported.delete(key);
    // --for 4 with reads every 5 s: the last wait is cut to the time left, not skipped.
    const left = stopAt - Date.now();
    if (options.signal?.aborted || left <= 0) return count;
    await sleep(Math.min(intervalMs, left), options.signal);
    if (options.signal?.aborted) return count;
  }
}
