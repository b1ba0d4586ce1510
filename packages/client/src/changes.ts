import { mapLimit, monthsBetween, parseSelector, selects, yearsBetween } from '@ssmhub/core';
import type { IndexRecord, VersionRecord } from '@ssmhub/core';
import {
  RequestCounter,
  type FeedEntry,
  type RestoreCounts,
  type RestorePlanCounts,
  type RestoreRecord,
  type RequestStatsSnapshot,
} from '@ssmhub/store';
import { InvalidInputError } from '@ssmhub/core';
import { UnknownAccountError } from './errors.js';
import type { HubConnection } from './hub.js';
import { checkAccount, readRegistry } from './locations.js';
import { toOutputRecord } from './records.js';
import type { OutputRecord } from './records.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';

export interface ChangesOptions {
  /** First moment (inclusive). */
  readonly since: TimeInput;
  /** Last moment (inclusive). @default - now */
  readonly until?: TimeInput;
  /** Only this account's changes (reads its own feed). @default - the whole organization */
  readonly account?: string;
  /** Only names under this path (any depth) or this key. @default - every name */
  readonly path?: string;
  /** Called as feed partitions are read (a progress bar for long ranges). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A restore as the change feed shows it. */
export interface RestoreChange {
  readonly account: string;
  readonly region: string;
  /** The path or key restored. */
  readonly name: string;
  readonly time: string;
  readonly operation: 'Restore';
  /** Who ran it. */
  readonly lastModifiedUser: string;
  readonly restore: {
    readonly id: string;
    readonly at: string;
    readonly sourceAccount: string;
    readonly sourceRegion: string;
    readonly recursive: boolean;
    /** 'incomplete' when the restore's outcome never came (it stopped between intent and outcome). */
    readonly status: RestoreRecord['status'];
    readonly plan: RestorePlanCounts;
    readonly counts?: RestoreCounts;
    readonly finishedAt?: string;
    /** The organization-wide restore (`restore --all-accounts`) this one was part of. */
    readonly partOf?: string;
  };
}

export type ChangeRecord = OutputRecord | RestoreChange;

export interface ChangesResult {
  readonly since: string;
  readonly until: string;
  /** Oldest first. */
  readonly records: ChangeRecord[];
  readonly stats: RequestStatsSnapshot;
}

/** Feed queries in flight at once. */
const FEED_CONCURRENCY = 16;

function toRestoreChange(r: RestoreRecord): RestoreChange {
  return {
    account: r.account,
    region: r.region,
    name: r.name,
    time: r.time,
    operation: 'Restore',
    lastModifiedUser: r.who,
    restore: {
      id: r.restoreId,
      at: r.at,
      sourceAccount: r.sourceAccount,
      sourceRegion: r.sourceRegion,
      recursive: r.recursive,
      status: r.status,
      plan: r.plan,
      ...(r.outcome ? { counts: r.outcome.counts, finishedAt: r.outcome.time } : {}),
      ...(r.partOf ? { partOf: r.partOf } : {}),
    },
  };
}

/** The version a deletion removed or a label change labelled (one small descending Query). */
async function contextOf(
  hub: HubConnection,
  stats: RequestCounter,
  record: IndexRecord,
): Promise<VersionRecord | undefined> {
  const page = await hub.index(stats).recordsBefore(record, record.time, { limit: 10 });
  const versions = page.records.filter((r): r is VersionRecord => r.kind === 'version');
  if (record.kind === 'label') return versions.find((v) => v.version === record.version);
  return versions.find((v) => v.time <= record.time) ?? versions[0];
}

/**
 * The change feed: every version, deletion, label change and restore between two moments, oldest
 * first, across the organization or for one account. Org-wide it first reads which day-shards of
 * the feed hold anything (the feed-days markers, two Queries a year), then only those; one account
 * reads its own feed, one Query a month.
 *
 * @example
 * const { records } = await changes(hub, { since: '2026-11-21T00:00:00Z', path: '/app/' });
 * records.map((r) => `${r.time} ${r.account} ${r.operation} ${r.name} by ${r.lastModifiedUser ?? '?'}`);
 */
export async function changes(hub: HubConnection, options: ChangesOptions): Promise<ChangesResult> {
  const now = new Date();
  const since = moment(options.since, now);
  const until = moment(options.until ?? now, now);
  if (since > until) throw new InvalidInputError(`--since ${since} is after --until ${until}`);
  const pathSelector = options.path ? parseSelector(options.path, true) : undefined;
  const matchesPath = (name: string): boolean =>
    !options.path || name === options.path || (pathSelector !== undefined && selects(pathSelector, name));
  const stats = new RequestCounter();
  const index = hub.index(stats);
  let feeds: (() => Promise<FeedEntry[]>)[];
  if (options.account) {
    const account = options.account;
    checkAccount(account);
    const known = await readRegistry(hub, stats, account);
    if (known.length === 0)
      throw new UnknownAccountError(`unknown account ${account}: the hub has indexed nothing for it`);
    feeds = monthsBetween(new Date(since), new Date(until)).map(
      (month) => () => index.accountFeed(account, month, since, until),
    );
  } else {
    const active = await index.activeFeedPartitions(
      yearsBetween(new Date(since), new Date(until)),
      since.slice(0, 10),
      until.slice(0, 10),
    );
    feeds = active.map(
      ({ day, shard }) =>
        () =>
          index.orgFeed(day, shard, since, until),
    );
  }
  let done = 0;
  const pages = await mapLimit(feeds, FEED_CONCURRENCY, async (read) => {
    const page = await read();
    options.onProgress?.((done += 1), feeds.length);
    return page;
  });
  const all = pages.flat().sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const selected = all.filter((entry) =>
    matchesPath(entry.kind === 'restore' ? entry.restore.name : entry.record.name),
  );
  const records = await mapLimit(selected, FEED_CONCURRENCY, async (entry): Promise<ChangeRecord> => {
    if (entry.kind === 'restore') return toRestoreChange(entry.restore);
    const record = entry.record;
    const context = record.kind === 'version' ? undefined : await contextOf(hub, stats, record);
    return toOutputRecord(record, context);
  });
  return { since, until, records, stats: stats.snapshot() };
}
