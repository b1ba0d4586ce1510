// Internal to @ssmhub/store: the sparse index of active org-feed partitions (see keys.ts,
// feedDaysPartition), written as records and restores arrive and read before the feed itself.
import { mapLimit } from '@ssmhub/core';
import type { Item } from '../items.js';
import {
  IndexAttributes,
  feedDaySortKey,
  feedDaysPartition,
  parseFeedDaySortKey,
  restoreFeedDaysPartition,
} from '../keys.js';
import { RANGE_END, TABLE_KEYS, keyCondition, type TableAccess } from './table.js';

/** One partition of the org feed: a day and a shard. */
export interface FeedPartition {
  readonly day: string;
  readonly shard: number;
}

/** Whose marker it is: the hub's (records), or a restore operator's (restores may write only under RESTORE#). */
export type MarkerOwner = 'hub' | 'restore';

/** The feed-days marker of one feed partition. */
export function feedDayItem(owner: MarkerOwner, feed: FeedPartition): Item {
  const year = feed.day.slice(0, 4);
  return {
    [IndexAttributes.partitionKey]: owner === 'hub' ? feedDaysPartition(year) : restoreFeedDaysPartition(year),
    [IndexAttributes.sortKey]: feedDaySortKey(feed.day, feed.shard),
  };
}

/**
 * The feed-days markers of one table. It remembers what it already wrote, so its markers cost
 * about one write per day and shard per process, not one per record.
 */
export class FeedDays {
  private readonly written = new Set<string>();

  public constructor(private readonly table: TableAccess) {}

  /** Puts a feed-days marker unless this process already did (a failed condition: it exists). */
  public async ensure(owner: MarkerOwner, feed: FeedPartition): Promise<void> {
    const item = feedDayItem(owner, feed);
    const key = `${String(item[IndexAttributes.partitionKey])}#${String(item[IndexAttributes.sortKey])}`;
    if (this.written.has(key)) return;
    await this.table.putIfAbsent(item);
    this.written.add(key);
  }

  /**
   * The org feed's partitions that hold anything from day `sinceDay` to `untilDay` (inclusive,
   * `YYYY-MM-DD`): the markers of ingest and of restores, two Queries a year.
   */
  public async active(years: readonly string[], sinceDay: string, untilDay: string): Promise<FeedPartition[]> {
    const partitions = years.flatMap((year) => [feedDaysPartition(year), restoreFeedDaysPartition(year)]);
    const pages = await mapLimit(partitions, 8, (pk) =>
      this.table.query({
        ...keyCondition(TABLE_KEYS, pk, { from: sinceDay, to: `${untilDay}${RANGE_END}` }),
        ProjectionExpression: '#sk',
      }),
    );
    const unique = new Set(pages.flat().map((item) => String(item[IndexAttributes.sortKey])));
    return [...unique].sort().map(parseFeedDaySortKey);
  }
}
