import {
  FEED_SHARDS,
  IndexAttributes,
  IndexNames,
  accountFeedPartition,
  daysBetween,
  feedPartition,
  fromRecordItem,
  locationPartition,
  monthsBetween,
  parseSelector,
  recordPrefix,
  recordUpperBoundAtSecond,
  selects,
} from '@ssmhub/core';
import type { IndexRecord, Item, VersionRecord } from '@ssmhub/core';
import { InvalidInputError } from '@ssmhub/core';
import { UnknownAccountError } from '../errors.js';
import { mapLimit } from './concurrency.js';
import { queryAll, queryPage } from './dynamo.js';
import type { Hub } from './hub.js';
import { checkAccount, readRegistry } from './locations.js';
import { toOutputRecord } from './records.js';
import type { OutputRecord } from './records.js';
import { isRestoreItem } from './restoreRecord.js';
import type { RestoreCounts, RestoreRecord } from './restoreRecord.js';
import { RequestStats } from './stats.js';
import type { RequestStatsSnapshot } from './stats.js';
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
    readonly status: string;
    readonly counts: RestoreCounts;
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

function toRestoreChange(item: Item): RestoreChange {
  const r = item as unknown as RestoreRecord;
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
      counts: r.counts,
    },
  };
}

/** The version a deletion removed or a label change labelled (one small descending Query). */
async function contextOf(hub: Hub, stats: RequestStats, record: IndexRecord): Promise<VersionRecord | undefined> {
  const page = await queryPage(hub, stats, {
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
    ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey, '#sk': IndexAttributes.sortKey },
    ExpressionAttributeValues: {
      ':pk': locationPartition(record.account, record.region),
      ':from': recordPrefix(record.name),
      ':to': recordUpperBoundAtSecond(record.name, record.time),
    },
    ScanIndexForward: false,
    Limit: 10,
  });
  const versions = page.items.map(fromRecordItem).filter((r): r is VersionRecord => r.kind === 'version');
  if (record.kind === 'label') return versions.find((v) => v.version === record.version);
  return versions.find((v) => v.time <= record.time) ?? versions[0];
}

/**
 * The change feed: every version, deletion, label change and restore between two moments, oldest
 * first, across the organization (16 shards a day, read in parallel) or for one account.
 *
 * @example
 * const { records } = await changes(hub, { since: '2026-11-21T00:00:00Z', path: '/app/' });
 * records.map((r) => `${r.time} ${r.account} ${r.operation} ${r.name} by ${r.lastModifiedUser ?? '?'}`);
 */
export async function changes(hub: Hub, options: ChangesOptions): Promise<ChangesResult> {
  const now = new Date();
  const since = moment(options.since, now);
  const until = moment(options.until ?? now, now);
  if (since > until) throw new InvalidInputError(`--since ${since} is after --until ${until}`);
  const pathSelector = options.path ? parseSelector(options.path, true) : undefined;
  const matchesPath = (name: string): boolean =>
    !options.path || name === options.path || (pathSelector !== undefined && selects(pathSelector, name));
  const stats = new RequestStats();
  const range = { ':from': since, ':to': `${until}~` };
  let queries: { index: string; pk: string; pkName: string; skName: string }[];
  if (options.account) {
    checkAccount(options.account);
    const known = await readRegistry(hub, stats, options.account);
    if (known.length === 0)
      throw new UnknownAccountError(`unknown account ${options.account}: the hub has indexed nothing for it`);
    queries = monthsBetween(new Date(since), new Date(until)).map((month) => ({
      index: IndexNames.accountFeed,
      pk: accountFeedPartition(options.account as string, month),
      pkName: IndexAttributes.accountFeedPartitionKey,
      skName: IndexAttributes.accountFeedSortKey,
    }));
  } else {
    queries = daysBetween(new Date(since), new Date(until)).flatMap((day) =>
      Array.from({ length: FEED_SHARDS }, (_, shard) => ({
        index: IndexNames.feed,
        pk: feedPartition(day, shard),
        pkName: IndexAttributes.feedPartitionKey,
        skName: IndexAttributes.feedSortKey,
      })),
    );
  }
  const pages = await mapLimit(queries, FEED_CONCURRENCY, (q) =>
    queryAll(hub, stats, {
      IndexName: q.index,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': q.pkName, '#sk': q.skName },
      ExpressionAttributeValues: { ':pk': q.pk, ...range },
    }).then((items) => items.map((item) => ({ item, sortKey: String(item[q.skName]) }))),
  );
  const all = pages.flat().sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const selected = all.filter(({ item }) => matchesPath(String(item.name)));
  const records = await mapLimit(selected, FEED_CONCURRENCY, async ({ item }): Promise<ChangeRecord> => {
    if (isRestoreItem(item)) return toRestoreChange(item);
    const record = fromRecordItem(item);
    const context = record.kind === 'version' ? undefined : await contextOf(hub, stats, record);
    return toOutputRecord(record, context);
  });
  return { since, until, records, stats: stats.snapshot() };
}
