// Internal to @ssmhub/store (index.ts does not re-export it): the storage key formats and the
// partition planning of the feeds. Outside the store, nothing builds or parses a key (a unit test,
// keyFormats.test.ts, holds every other package to that); they call the store's reads instead.
import type { IndexRecord, ParameterLocation } from '@ssmhub/core';

/**
 * The DynamoDB index's keys (single table; see docs/architecture.md, "The index").
 *
 * | item          | pk                      | sk                               | gsi1 (org feed)                 | gsi2 (account feed)          |
 * | ------------- | ----------------------- | -------------------------------- | ------------------------------- | ---------------------------- |
 * | record        | `AR#{account}#{region}` | `R#{name}!{time}!{suffix}`       | `FEED#{day}#{shard}` / `{time}#…` | `ACCT#{account}#{month}` / `{time}#…` |
 * | catalog entry | `AR#{account}#{region}` | `C#{name}`                       | –                               | –                            |
 * | registry      | `REGISTRY`              | `{account}#{region}`             | –                               | –                            |
 * | feed day      | `FEEDDAYS#{year}`       | `{day}#{shard}`                  | –                               | –                            |
 * | coverage      | `COVERAGE`              | `{account}#{region}`             | –                               | –                            |
 * | account       | `ACCOUNTS`              | `{account}`                      | –                               | –                            |
 *
 * `!` sorts below every character SSM allows in a name, so `R#/a!` never collides with `R#/a/b!`
 * or `R#/a-b!`, and one name's records are one contiguous, time-ordered range.
 */
export const IndexAttributes = {
  partitionKey: 'pk',
  sortKey: 'sk',
  feedPartitionKey: 'gsi1pk',
  feedSortKey: 'gsi1sk',
  accountFeedPartitionKey: 'gsi2pk',
  accountFeedSortKey: 'gsi2sk',
} as const;

export const IndexNames = {
  /** Org-wide change feed by time, spread over FEED_SHARDS partitions a day. */
  feed: 'feed',
  /** One account's change feed by time, one partition a month. */
  accountFeed: 'account-feed',
} as const;

/** Day partitions of the org feed are split this many ways so no partition takes every change. */
export const FEED_SHARDS = 16;

export const REGISTRY_PARTITION = 'REGISTRY';
/** Partition of each account and region's coverage start (the earliest record the hub holds). */
export const COVERAGE_PARTITION = 'COVERAGE';
/** Partition of the organization's accounts: each one's name and OU path, as Organizations last said. */
export const ACCOUNTS_PARTITION = 'ACCOUNTS';
const NAME_END = '!';

/**
 * Names longer than this are shortened in keys: DynamoDB caps a sort key at 1,024 bytes and SSM
 * names reach 1,011 characters. A long name keeps its first KEY_NAME_LIMIT characters, then `~`
 * (which sorts after every name character) and a 64-bit hash of the whole name, so path ranges
 * still find it and two long names never share a key. Readers filter on the record's own `name`.
 */
export const KEY_NAME_LIMIT = 800;

/** How `name` appears inside keys (itself, unless it is longer than KEY_NAME_LIMIT). */
export function keyName(name: string): string {
  if (name.length <= KEY_NAME_LIMIT) return name;
  return `${name.slice(0, KEY_NAME_LIMIT)}~${fnv1a(name, 0x811c9dc5).toString(16).padStart(8, '0')}${fnv1a(name, 0x01000193).toString(16).padStart(8, '0')}`;
}

/** A key prefix for names starting with `prefix`, cut where long names are cut. */
function keyPrefix(prefix: string): string {
  return prefix.slice(0, KEY_NAME_LIMIT);
}

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const LOCATION_PARTITION_PREFIX = 'AR#';

/** The partition holding one account and region's records and catalog. */
export function locationPartition(account: string, region: string): string {
  return `${LOCATION_PARTITION_PREFIX}${account}#${region}`;
}

/** The account and region of a location partition (`AR#{account}#{region}`); undefined for any other. */
export function parseLocationPartition(partition: string): { account: string; region: string } | undefined {
  if (!partition.startsWith(LOCATION_PARTITION_PREFIX)) return undefined;
  const [account, region] = partition.slice(LOCATION_PARTITION_PREFIX.length).split('#');
  return account && region ? { account, region } : undefined;
}

/** True for a partition of parameter records (only the hub's functions write there). */
export function isLocationPartition(partition: string): boolean {
  return partition.startsWith(LOCATION_PARTITION_PREFIX);
}

/** What names one record among its name's: its kind with its version or event id (see recordSuffix). */
export type RecordIdentity =
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'tombstone' | 'uncaptured'; readonly eventId: string }
  | { readonly kind: 'label'; readonly version: number; readonly eventId: string };

/** Sort-key suffix that makes a record unique within its name and time. */
export function recordSuffix(record: RecordIdentity): string {
  switch (record.kind) {
    case 'version':
      return `V${String(record.version).padStart(7, '0')}`;
    case 'tombstone':
      return `D${record.eventId}`;
    case 'uncaptured':
      return `U${record.eventId}`;
    case 'label':
      return `L${String(record.version).padStart(7, '0')}${record.eventId}`;
  }
}

/** First sort key of every record of `name` (the range `begins_with` reads). */
export function recordPrefix(name: string): string {
  return `R#${keyName(name)}${NAME_END}`;
}

/** Sort key that sorts after every record of `name` at or before `time`'s whole second. */
export function recordUpperBoundAtSecond(name: string, time: string): string {
  return `${recordPrefix(name)}${time.slice(0, 19)}~`;
}

/** Sort key of every record of every name starting with `prefix` (a path or key). */
export function recordRangePrefix(prefix: string): string {
  return `R#${keyPrefix(prefix)}`;
}

export function catalogSortKey(name: string): string {
  return `C#${keyName(name)}`;
}

export function catalogRangePrefix(prefix: string): string {
  return `C#${keyPrefix(prefix)}`;
}

export function registrySortKey(account: string, region: string): string {
  return `${account}#${region}`;
}

/** Stable shard of a parameter in the org feed (FNV-1a; identical in every process). */
export function feedShard(location: ParameterLocation): number {
  let hash = 0x811c9dc5;
  const text = `${location.account}#${location.region}#${location.name}`;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % FEED_SHARDS;
}

export function feedPartition(day: string, shard: number): string {
  return `FEED#${day}#${String(shard).padStart(2, '0')}`;
}

/** The day and shard of an org feed partition key. */
export function parseFeedPartition(partition: string): { day: string; shard: number } {
  const [, day = '', shard = '0'] = partition.split('#');
  return { day, shard: Number(shard) };
}

/**
 * The sparse index of active org-feed partitions: one item per day and shard that holds at least
 * one record, `pk = FEEDDAYS#{year}`, `sk = {day}#{shard}`. `changes` reads it (one Query a year)
 * and then only the feed partitions it names, so a range costs what it returns.
 */
export function feedDaysPartition(year: string): string {
  return `FEEDDAYS#${year}`;
}

export function feedDaySortKey(day: string, shard: number): string {
  return `${day}#${String(shard).padStart(2, '0')}`;
}

/** The day and shard of a feed-days sort key. */
export function parseFeedDaySortKey(sortKey: string): { day: string; shard: number } {
  const [day = '', shard = '0'] = sortKey.split('#');
  return { day, shard: Number(shard) };
}

/** Years (UTC, `YYYY`) from `since` to `until` inclusive: the feed-days partitions to read. */
export function yearsBetween(since: Date, until: Date): string[] {
  const years: string[] = [];
  for (let year = since.getUTCFullYear(); year <= until.getUTCFullYear(); year += 1) years.push(String(year));
  return years;
}

/**
 * Partition-key prefix of restore items: the hub stack lets restore operators write only items
 * whose partition key starts with it, and denies everyone UpdateItem/DeleteItem on them.
 */
export const RESTORE_PARTITION_PREFIX = 'RESTORE#';

/** Partition of a target's restores: never collides with `AR#` records or the registry. */
export function restorePartition(account: string, region: string): string {
  return `${RESTORE_PARTITION_PREFIX}${account}#${region}`;
}

/** Partition of one organization-wide restore (under the operators' `RESTORE#` prefix). */
export function orgRestorePartition(restoreId: string): string {
  return `${RESTORE_PARTITION_PREFIX}ORG#${restoreId}`;
}

/**
 * Partition of the feed-days markers restores write: restore operators may only put items under
 * RESTORE#, so theirs sit apart from the hub's FEEDDAYS# markers.
 */
export function restoreFeedDaysPartition(year: string): string {
  return `${RESTORE_PARTITION_PREFIX}${feedDaysPartition(year)}`;
}

export function accountFeedPartition(account: string, month: string): string {
  return `ACCT#${account}#${month}`;
}

/** The table key (partition and sort key, no feed keys) of one record of one name. */
export function recordTableKey(
  location: ParameterLocation,
  record: RecordIdentity & { readonly time: string },
): Record<string, string> {
  return {
    [IndexAttributes.partitionKey]: locationPartition(location.account, location.region),
    [IndexAttributes.sortKey]: `${recordPrefix(location.name)}${record.time}${NAME_END}${recordSuffix(record)}`,
  };
}

/** All key attributes of a record item. */
export function recordKeys(record: IndexRecord): Record<string, string> {
  const suffix = recordSuffix(record);
  const tail = `${record.time}#${record.account}#${record.region}#${keyName(record.name)}#${suffix}`;
  return {
    [IndexAttributes.partitionKey]: locationPartition(record.account, record.region),
    [IndexAttributes.sortKey]: `${recordPrefix(record.name)}${record.time}${NAME_END}${suffix}`,
    [IndexAttributes.feedPartitionKey]: feedPartition(record.time.slice(0, 10), feedShard(record)),
    [IndexAttributes.feedSortKey]: tail,
    [IndexAttributes.accountFeedPartitionKey]: accountFeedPartition(record.account, record.time.slice(0, 7)),
    [IndexAttributes.accountFeedSortKey]: tail,
  };
}

/** Days (UTC, `YYYY-MM-DD`) from `since` to `until` inclusive: the feed partitions to read. */
export function daysBetween(since: Date, until: Date): string[] {
  const days: string[] = [];
  const cursor = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
  while (cursor.getTime() <= until.getTime()) {
    days.push(cursor.toISOString().slice(0, 10));
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}

/** Months (UTC, `YYYY-MM`) from `since` to `until` inclusive: the account feed partitions to read. */
export function monthsBetween(since: Date, until: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
  while (cursor.getTime() <= until.getTime()) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

/** S3 key of one version's object: one prefix per parameter, one object per version. */
export function versionObjectKey(location: ParameterLocation, time: string, version: number): string {
  return `parameters/${location.account}/${location.region}/${encodeURIComponent(location.name)}/${time}_${String(version).padStart(7, '0')}.json`;
}
