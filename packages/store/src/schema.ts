// Also `@ssmhub/store/schema`: the table's layout as data, importable without the AWS SDK behind the
// rest of the store (the IAM evaluator's request mapping stays pure).
import { IndexAttributes, IndexNames, locationPartition, restorePartition } from './keys.js';

export { RESTORE_PARTITION_PREFIX } from './keys.js';

const FEED_INDEX = {
  indexName: IndexNames.feed,
  partitionKey: IndexAttributes.feedPartitionKey,
  sortKey: IndexAttributes.feedSortKey,
} as const;

/**
 * The index table's definition, shared by the hub stack, the sandbox and `ssmhub doctor` so they
 * cannot drift from the keys the store writes. Every key is a string; both indexes project all
 * attributes (records are small and values are never in the table).
 *
 * @example
 * new dynamodb.TableV2(this, 'Index', {
 *   partitionKey: { name: IndexTableSchema.partitionKey, type: dynamodb.AttributeType.STRING },
 *   sortKey: { name: IndexTableSchema.sortKey, type: dynamodb.AttributeType.STRING },
 * });
 */
export const IndexTableSchema = {
  partitionKey: IndexAttributes.partitionKey,
  sortKey: IndexAttributes.sortKey,
  /** The org-wide change feed: the one index the feed-days backfill scans (dynamodb:Scan on it). */
  feedIndex: FEED_INDEX,
  globalSecondaryIndexes: [
    FEED_INDEX,
    {
      indexName: IndexNames.accountFeed,
      partitionKey: IndexAttributes.accountFeedPartitionKey,
      sortKey: IndexAttributes.accountFeedSortKey,
    },
  ],
} as const;

/**
 * The partition-key values (`dynamodb:LeadingKeys`) IAM policies and their proofs reason about:
 * the store's own, so a proof cannot check a partition the store never writes.
 *
 * @example
 * IndexPartitions.ofLocation('111122223333', 'eu-west-1'); // the records and catalog of that location
 */
export const IndexPartitions = {
  /** One account and region's records and catalog (the hub writes them). */
  ofLocation: (account: string, region: string): string => locationPartition(account, region),
  /** One target account and region's restore records (restore operators append them). */
  ofRestores: (account: string, region: string): string => restorePartition(account, region),
} as const;
