// Internal to @ssmhub/store (not re-exported by index.ts): the feed-days markers IndexTable writes
// as records arrive, and testing.ts's seedIndex writes with the records it seeds.
import { IndexAttributes, feedDaySortKey } from '@ssmhub/core';
import type { FeedPartition } from './indexTable.js';
import type { Item } from './items.js';

/** The feed-days marker of one feed partition. */
export function feedDayItem(partition: string, feed: FeedPartition): Item {
  return {
    [IndexAttributes.partitionKey]: partition,
    [IndexAttributes.sortKey]: feedDaySortKey(feed.day, feed.shard),
  };
}
