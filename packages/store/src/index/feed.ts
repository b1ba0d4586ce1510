import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit, parsePathFilter, selects } from '@ssmhub/core';
import { fromRecordItem, type Item } from '../items.js';
import {
  FEED_SHARDS,
  IndexAttributes,
  IndexNames,
  RESTORE_PARTITION_PREFIX,
  accountFeedPartition,
  daysBetween,
  feedPartition,
  isLocationPartition,
  monthsBetween,
  parseFeedPartition,
  yearsBetween,
} from '../keys.js';
import type { StartKey } from '../query.js';
import { queryAll } from '../query.js';
import { fromRestoreItems, isRestoreItem, restoreKey } from '../restoreRecord.js';
import type { FeedDays } from './feedDays.js';
import type { ChangeQuery, FeedEntry, FeedIndex } from './types.js';
import { RANGE_END, keyCondition, type TableAccess } from './table.js';

/** The change feeds: a global secondary index each, with its key attributes. */
const FEEDS = {
  org: { indexName: IndexNames.feed, pk: IndexAttributes.feedPartitionKey, sk: IndexAttributes.feedSortKey },
  account: {
    indexName: IndexNames.accountFeed,
    pk: IndexAttributes.accountFeedPartitionKey,
    sk: IndexAttributes.accountFeedSortKey,
  },
} as const;

/** Feed partitions read at once. */
const FEED_CONCURRENCY = 16;

/** A feed entry with the feed's sort key (time first), to merge partitions by. */
export interface KeyedFeedEntry {
  readonly sortKey: string;
  readonly entry: FeedEntry;
}

/**
 * Whether a feed-listed item is a change, by where it lives: a parameter record only in an `AR#`
 * partition (only the hub's functions write there), a restore only as an intent in a `RESTORE#`
 * partition (only the restore audit function writes there). Anything else a writer managed to
 * list in a feed index is not a change.
 */
export function isFeedChange(item: Item): boolean {
  const partition = String(item[IndexAttributes.partitionKey] ?? '');
  return isRestoreItem(item) ? partition.startsWith(RESTORE_PARTITION_PREFIX) : isLocationPartition(partition);
}

/** The feed entry an item of either feed holds (a restore's intent, given its outcome when it came). */
export function feedEntryOf(item: Item, outcome?: Item): FeedEntry {
  return isRestoreItem(item)
    ? { kind: 'restore', restore: fromRestoreItems(item, outcome) }
    : { kind: 'record', record: fromRecordItem(item) };
}

/**
 * Which entries a query selects besides their time: its accounts, and names under its path (any
 * depth) or equal to it. Throws on a malformed path (or one without its leading '/', which would
 * match nothing) before anything is read.
 */
export function changeFilter(query: ChangeQuery): (entry: FeedEntry) => boolean {
  const accounts = query.accounts ? new Set(query.accounts) : undefined;
  const path = query.path;
  const selector = path === undefined ? undefined : parsePathFilter(path);
  return (entry) => {
    const { account, name } = entry.kind === 'restore' ? entry.restore : entry.record;
    if (accounts && !accounts.has(account)) return false;
    return path === undefined || name === path || (selector !== undefined && selects(selector, name));
  };
}

/** Oldest first: the feeds' sort keys start with the time. */
export function inFeedOrder(entries: readonly KeyedFeedEntry[]): FeedEntry[] {
  return [...entries].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)).map((e) => e.entry);
}

/**
 * The change feeds in DynamoDB: the org feed (FEED_SHARDS partitions a day, found through the
 * feed-days markers) and each account's own (one partition a month).
 */
export class FeedTable implements FeedIndex {
  public constructor(
    private readonly table: TableAccess,
    private readonly feedDays: FeedDays,
  ) {}

  /**
   * Org-wide it first reads which day-shards of the feed hold anything (the feed-days markers, two
   * Queries a year), then only those; for a few accounts, each one's own feed (a Query a month)
   * when that is fewer Queries than FEED_SHARDS a day.
   */
  public async changes(query: ChangeQuery): Promise<FeedEntry[]> {
    const selected = changeFilter(query);
    const since = new Date(query.since);
    const until = new Date(query.until);
    const months = monthsBetween(since, until);
    const accounts = query.accounts;
    let reads: (() => Promise<KeyedFeedEntry[]>)[];
    if (accounts && accounts.length * months.length < FEED_SHARDS * daysBetween(since, until).length) {
      reads = accounts.flatMap((account) =>
        months.map((month) => () => this.read(FEEDS.account, accountFeedPartition(account, month), query)),
      );
    } else {
      const active = await this.feedDays.active(
        yearsBetween(since, until),
        query.since.slice(0, 10),
        query.until.slice(0, 10),
      );
      reads = active.map(
        ({ day, shard }) =>
          () =>
            this.read(FEEDS.org, feedPartition(day, shard), query),
      );
    }
    let done = 0;
    const pages = await mapLimit(reads, FEED_CONCURRENCY, async (read) => {
      const page = await read();
      query.onProgress?.((done += 1), reads.length);
      return page;
    });
    return inFeedOrder(pages.flat()).filter(selected);
  }

  /**
   * One Scan of the org feed index's keys, one conditional PutItem per day and shard found. Run
   * once after upgrading (the reconcile Lambda's `{ action: 'backfill-feed-days' }`).
   */
  public async backfillDays(): Promise<number> {
    const found = new Set<string>();
    let startKey: StartKey | undefined;
    do {
      const page = await this.table.counted('DynamoDB.Scan', () =>
        this.table.target.documents.send(
          new ScanCommand({
            TableName: this.table.target.tableName,
            IndexName: FEEDS.org.indexName,
            ProjectionExpression: '#pk',
            ExpressionAttributeNames: { '#pk': FEEDS.org.pk },
            ReturnConsumedCapacity: 'TOTAL',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) found.add(String(item[FEEDS.org.pk]));
      startKey = page.LastEvaluatedKey as StartKey | undefined;
    } while (startKey);
    await mapLimit([...found], 8, (partition) => this.feedDays.ensure('hub', parseFeedPartition(partition)));
    return found.size;
  }

  /** One feed partition's entries from `since` to `until` (inclusive, ISO). */
  private async read(
    { indexName, ...keys }: (typeof FEEDS)[keyof typeof FEEDS],
    partition: string,
    query: ChangeQuery,
  ): Promise<KeyedFeedEntry[]> {
    const items = await queryAll(this.table.target, {
      IndexName: indexName,
      ...keyCondition(keys, partition, { from: query.since, to: `${query.until}${RANGE_END}` }),
    });
    return mapLimit(items.filter(isFeedChange), 8, async (item): Promise<KeyedFeedEntry> => {
      const sortKey = String(item[keys.sk]);
      if (!isRestoreItem(item)) return { sortKey, entry: feedEntryOf(item) };
      // Restores are rare: one GetItem each finds the outcome, or says the restore never finished.
      const intent = fromRestoreItems(item);
      return { sortKey, entry: feedEntryOf(item, await this.table.get(restoreKey(intent, intent.time, 'outcome'))) };
    });
  }
}
