import {
  IndexAttributes,
  IndexNames,
  catalogSortKey,
  locationPartition,
  recordKeys,
  recordSuffix,
  registrySortKey,
  REGISTRY_PARTITION,
} from './keys.js';
import type { IndexRecord, LabelRecord, LifecycleRecord, TombstoneRecord, VersionRecord } from './types.js';

/**
 * The index table's definition, shared by the hub stack and the sandbox so they cannot drift.
 * Every key is a string; both indexes project all attributes (records are small and values are
 * never in the table).
 */
export const IndexTableSchema = {
  partitionKey: IndexAttributes.partitionKey,
  sortKey: IndexAttributes.sortKey,
  globalSecondaryIndexes: [
    {
      indexName: IndexNames.feed,
      partitionKey: IndexAttributes.feedPartitionKey,
      sortKey: IndexAttributes.feedSortKey,
    },
    {
      indexName: IndexNames.accountFeed,
      partitionKey: IndexAttributes.accountFeedPartitionKey,
      sortKey: IndexAttributes.accountFeedSortKey,
    },
  ],
} as const;

/** A DynamoDB item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = new Set<string>(Object.values(IndexAttributes));

function withoutUndefined(value: object): Item {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The item of one record: its keys plus the record's own fields. */
export function toRecordItem(record: IndexRecord): Item {
  return { ...recordKeys(record), ...withoutUndefined(record) };
}

/** The record an item holds (key attributes dropped). Throws on an item that is not a record. */
export function fromRecordItem(item: Item): IndexRecord {
  const fields = Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k)));
  const kind = fields.kind;
  if (kind === 'version' || kind === 'tombstone' || kind === 'label') {
    if (Array.isArray(fields.labels)) fields.labels = [...(fields.labels as string[])];
    return fields as unknown as VersionRecord | TombstoneRecord | LabelRecord;
  }
  throw new Error(`index item ${String(item[IndexAttributes.sortKey])} is not a record`);
}

/**
 * A catalog entry: one per name and account/region, holding the lifecycle records of the name's
 * latest whole second (`lastSecond`). From them a reader knows the name's current state without
 * reading its history (see orderTimeline for why a whole second, not one record).
 */
export interface CatalogEntry {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly lastSecond: string;
  readonly records: readonly LifecycleRecord[];
}

export const CatalogAttributes = {
  lastSecond: 'lastSecond',
  records: 'records',
} as const;

export function catalogKey(account: string, region: string, name: string): Item {
  return {
    [IndexAttributes.partitionKey]: locationPartition(account, region),
    [IndexAttributes.sortKey]: catalogSortKey(name),
  };
}

/**
 * The map key of a record inside a catalog entry's `records`: its time and suffix, since two lives
 * can each write a version 1 within one second.
 */
export function catalogRecordKey(record: LifecycleRecord): string {
  return `${record.time}!${recordSuffix(record)}`;
}

export function fromCatalogItem(item: Item): CatalogEntry {
  const records = Object.values((item[CatalogAttributes.records] ?? {}) as Record<string, LifecycleRecord>);
  return {
    account: String(item.account),
    region: String(item.region),
    name: String(item.name),
    lastSecond: String(item[CatalogAttributes.lastSecond]),
    records,
  };
}

/** Registry of account/region pairs the hub has seen, with their sweep and event status. */
export interface RegistryEntry {
  readonly account: string;
  readonly region: string;
  /** ISO time of the newest event ingested for this account and region. */
  readonly lastEventAt?: string;
  /** ISO time the last reconcile sweep finished, and what it found. */
  readonly lastSweepAt?: string;
  readonly lastSweepParameters?: number;
  readonly lastSweepRepaired?: number;
  /** ISO time the first full baseline finished. */
  readonly baselineAt?: string;
}

export function registryKey(account: string, region: string): Item {
  return {
    [IndexAttributes.partitionKey]: REGISTRY_PARTITION,
    [IndexAttributes.sortKey]: registrySortKey(account, region),
  };
}
