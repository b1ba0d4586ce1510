import { IndexAttributes, accountFeedPartition, feedPartition, feedShard } from '@ssmhub/core';
import { withoutKeys, type Item } from './items.js';

/** The kind attribute of a restore's item (records are 'version' | 'tombstone' | 'label'). */
export const RESTORE_KIND = 'restore';

/** Outcome counts of one restore. */
export interface RestoreCounts {
  readonly put: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly refused: number;
  readonly failed: number;
}

/** What the index keeps of one restore (never a value). */
export interface RestoreRecord {
  readonly kind: typeof RESTORE_KIND;
  readonly restoreId: string;
  /** Target account and region. */
  readonly account: string;
  readonly region: string;
  /** The path or key restored. */
  readonly name: string;
  readonly recursive: boolean;
  /** When the restore ran (ISO). */
  readonly time: string;
  /** The moment restored to (ISO). */
  readonly at: string;
  readonly sourceAccount: string;
  readonly sourceRegion: string;
  /** The operator's ARN (STS GetCallerIdentity). */
  readonly who: string;
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly counts: RestoreCounts;
  /** Names and what happened to them (first 1,000). */
  readonly names: readonly { readonly name: string; readonly action: string; readonly outcome: string }[];
}

/**
 * Partition-key prefix of restore records: the hub stack lets restore operators write only items
 * whose partition key starts with it.
 */
export const RESTORE_PARTITION_PREFIX = 'RESTORE#';

/** Partition of a target's restores: never collides with `AR#` records or the registry. */
export function restorePartition(account: string, region: string): string {
  return `${RESTORE_PARTITION_PREFIX}${account}#${region}`;
}

/** The item of a restore record: its own partition, and the same feed indexes as parameter records. */
export function toRestoreItem(record: RestoreRecord): Item {
  const tail = `${record.time}#${record.account}#${record.region}#${record.name}#X${record.restoreId}`;
  return {
    [IndexAttributes.partitionKey]: restorePartition(record.account, record.region),
    [IndexAttributes.sortKey]: `${record.time}#${record.restoreId}`,
    [IndexAttributes.feedPartitionKey]: feedPartition(
      record.time.slice(0, 10),
      feedShard({ account: record.account, region: record.region, name: record.restoreId }),
    ),
    [IndexAttributes.feedSortKey]: tail,
    [IndexAttributes.accountFeedPartitionKey]: accountFeedPartition(record.account, record.time.slice(0, 7)),
    [IndexAttributes.accountFeedSortKey]: tail,
    ...record,
  };
}

/** True when an index item is a restore record. */
export function isRestoreItem(item: Item): boolean {
  return item.kind === RESTORE_KIND;
}

/** The restore record an item holds (key attributes dropped). */
export function fromRestoreItem(item: Item): RestoreRecord {
  return withoutKeys(item) as unknown as RestoreRecord;
}
