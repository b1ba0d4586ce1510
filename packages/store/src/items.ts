import type {
  IndexRecord,
  LabelRecord,
  LifecycleRecord,
  TombstoneRecord,
  UncapturedRecord,
  VersionRecord,
} from '@ssmhub/core';
import type { LocationCoverage } from './index/types.js';
import {
  COVERAGE_PARTITION,
  IndexAttributes,
  REGISTRY_PARTITION,
  catalogSortKey,
  locationPartition,
  recordKeys,
  recordSuffix,
  registrySortKey,
} from './keys.js';

/** A DynamoDB item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = new Set<string>(Object.values(IndexAttributes));

/** An item's own fields: its key attributes dropped. */
export function withoutKeys(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k)));
}

function withoutUndefined(value: object): Item {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The item of one record: its keys plus the record's own fields. */
export function toRecordItem(record: IndexRecord): Item {
  return { ...recordKeys(record), ...withoutUndefined(record) };
}

/** The record an item holds (key attributes dropped). Throws on an item that is not a record. */
export function fromRecordItem(item: Item): IndexRecord {
  const fields = withoutKeys(item);
  const kind = fields.kind;
  if (kind === 'version' || kind === 'tombstone' || kind === 'label' || kind === 'uncaptured') {
    if (Array.isArray(fields.labels)) fields.labels = [...(fields.labels as string[])];
    return fields as unknown as VersionRecord | TombstoneRecord | LabelRecord | UncapturedRecord;
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

/** The item of a catalog entry. */
export function toCatalogItem(entry: CatalogEntry): Item {
  return {
    ...catalogKey(entry.account, entry.region, entry.name),
    account: entry.account,
    region: entry.region,
    name: entry.name,
    [CatalogAttributes.lastSecond]: entry.lastSecond,
    [CatalogAttributes.records]: Object.fromEntries(entry.records.map((record) => [catalogRecordKey(record), record])),
  };
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
  /** ISO time every version stored before ingest analysed values had been analysed (digest, findings). */
  readonly analysisBackfilledAt?: string;
}

/** The registry's attributes besides account and region. */
export const RegistryAttributes = {
  lastEventAt: 'lastEventAt',
  lastSweepAt: 'lastSweepAt',
  lastSweepParameters: 'lastSweepParameters',
  lastSweepRepaired: 'lastSweepRepaired',
  baselineAt: 'baselineAt',
  analysisBackfilledAt: 'analysisBackfilledAt',
} as const;

export function registryKey(account: string, region: string): Item {
  return {
    [IndexAttributes.partitionKey]: REGISTRY_PARTITION,
    [IndexAttributes.sortKey]: registrySortKey(account, region),
  };
}

/** The item of a registry entry. */
export function toRegistryItem(entry: RegistryEntry): Item {
  return { ...registryKey(entry.account, entry.region), ...withoutUndefined(entry) };
}

/**
 * The registry entry an item holds; account and region come from the sort key when the item
 * lacks them (an entry written by an older hub). Absent or mistyped fields are left out.
 */
export function fromRegistryItem(item: Item): RegistryEntry {
  const [account = '', region = ''] = String(item[IndexAttributes.sortKey]).split('#');
  const text = (key: string): string | undefined => (typeof item[key] === 'string' ? (item[key] as string) : undefined);
  const num = (key: string): number | undefined => (typeof item[key] === 'number' ? (item[key] as number) : undefined);
  return withoutUndefined({
    account: text('account') ?? account,
    region: text('region') ?? region,
    lastEventAt: text(RegistryAttributes.lastEventAt),
    lastSweepAt: text(RegistryAttributes.lastSweepAt),
    lastSweepParameters: num(RegistryAttributes.lastSweepParameters),
    lastSweepRepaired: num(RegistryAttributes.lastSweepRepaired),
    baselineAt: text(RegistryAttributes.baselineAt),
    analysisBackfilledAt: text(RegistryAttributes.analysisBackfilledAt),
  }) as unknown as RegistryEntry;
}

/** A location's coverage item's attributes (its partition sits apart from the registry's). */
export const CoverageAttributes = {
  coverageStartAt: 'coverageStartAt',
  uncapturedChanges: 'uncapturedChanges',
} as const;

/** The key of a location's coverage item. */
export function coverageKey(account: string, region: string): Item {
  return {
    [IndexAttributes.partitionKey]: COVERAGE_PARTITION,
    [IndexAttributes.sortKey]: registrySortKey(account, region),
  };
}

/** What a coverage item says of its location. */
export function fromCoverageItem(item: Item): LocationCoverage {
  const [account = '', region = ''] = String(item[IndexAttributes.sortKey]).split('#');
  const start = item[CoverageAttributes.coverageStartAt];
  const uncaptured = item[CoverageAttributes.uncapturedChanges];
  return {
    account,
    region,
    ...(typeof start === 'string' ? { coverageStartAt: start } : {}),
    uncapturedChanges: typeof uncaptured === 'number' ? uncaptured : 0,
  };
}
