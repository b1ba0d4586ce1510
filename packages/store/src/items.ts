import { isDeepStrictEqual } from 'node:util';
import {
  secondOf,
  type IndexRecord,
  type LabelRecord,
  type LifecycleRecord,
  type ParameterLocation,
  type TombstoneRecord,
  type UncapturedRecord,
  type VersionRecord,
} from '@ssmhub/core';
import { decodeTimeline, encodeTimeline, markKey, type CatalogTimeline } from './catalogTimeline.js';
import type { LocationCoverage } from './index/types.js';
import {
  ACCOUNTS_PARTITION,
  COVERAGE_PARTITION,
  IndexAttributes,
  REGISTRY_PARTITION,
  catalogSortKey,
  locationPartition,
  parseLocationPartition,
  recordKeys,
  registrySortKey,
  versionObjectKey,
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
 * latest whole second (`lastSecond`) and, as marks, the records before it (`timeline`). From the
 * records a reader knows the name's current state without reading its history (see orderTimeline
 * for why a whole second, not one record); from the timeline, its state at any moment with fewer
 * than CATALOG_TIMELINE_LIMIT changes after it, and which record to fetch for it.
 */
export interface CatalogEntry {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly lastSecond: string;
  readonly records: readonly LifecycleRecord[];
  /**
   * The records before `lastSecond` as marks. Absent on an entry written before timelines (or
   * whose times are not the store's): such an entry knows its latest second only.
   */
  readonly timeline?: CatalogTimeline;
}

/**
 * The attributes of a catalog item. `latest` holds the latest second's records by record key,
 * each without what its key and entry already say (kind, time, version or event id, location,
 * the default object key); `timeline` the marks in their stored form (catalogTimeline.ts); `rev`
 * counts writes, so a writer that read the entry changes it only if no one else did since.
 * An entry written before timelines has `lastSecond`, whole `records`, `account` and `region`
 * instead (`legacy`): it is read as it is, and the next write replaces it.
 */
export const CatalogAttributes = {
  name: 'name',
  latest: 'latest',
  timeline: 'timeline',
  revision: 'rev',
  legacy: { lastSecond: 'lastSecond', records: 'records', account: 'account', region: 'region' },
} as const;

export function catalogKey(account: string, region: string, name: string): Item {
  return {
    [IndexAttributes.partitionKey]: locationPartition(account, region),
    [IndexAttributes.sortKey]: catalogSortKey(name),
  };
}

/**
 * The map key of a record inside a catalog entry's `latest`: its time and suffix, since two lives
 * can each write a version 1 within one second.
 */
export function catalogRecordKey(record: LifecycleRecord): string {
  return markKey(record);
}

/** The fields of a record a catalog item's `latest` stores: what the key, the entry and the object-key rule do not give. */
function compactRecord(record: LifecycleRecord): Item {
  const full = withoutUndefined(record);
  const compact: Item = { ...full };
  for (const field of ['account', 'region', 'name', 'kind', 'time', 'version', 'eventId']) delete compact[field];
  if (record.kind === 'version' && record.objectKey === versionObjectKey(record, record.time, record.version)) {
    delete compact.objectKey;
  }
  const restored = expandRecord(record, catalogRecordKey(record), compact);
  // Anything the rules would not restore exactly is stored whole.
  return isDeepStrictEqual(restored, full) ? compact : full;
}

/** A record of a catalog item's `latest`, from its key, its entry's location and its stored fields. */
function expandRecord(location: ParameterLocation, key: string, fields: Item): LifecycleRecord {
  const cut = key.indexOf('!');
  const time = key.slice(0, cut);
  const suffix = key.slice(cut + 1);
  const identity =
    suffix.startsWith('V') && /^\d+$/.test(suffix.slice(1))
      ? { kind: 'version', version: Number(suffix.slice(1)) }
      : suffix.startsWith('D')
        ? { kind: 'tombstone', eventId: suffix.slice(1) }
        : suffix.startsWith('U')
          ? { kind: 'uncaptured', eventId: suffix.slice(1) }
          : {};
  const record: Item = {
    ...identity,
    account: location.account,
    region: location.region,
    name: location.name,
    time,
    ...fields,
  };
  if (record.kind === 'version' && record.objectKey === undefined && typeof record.version === 'number') {
    record.objectKey = versionObjectKey(location, time, record.version);
  }
  if (Array.isArray(record.labels)) record.labels = [...(record.labels as string[])];
  return record as unknown as LifecycleRecord;
}

/** The item of a catalog entry, at revision `revision` (a seed's: 0). */
export function toCatalogItem(entry: CatalogEntry, revision = 0): Item {
  const timeline = entry.timeline && encodeTimeline(entry.timeline, entry.records);
  return {
    ...catalogKey(entry.account, entry.region, entry.name),
    [CatalogAttributes.name]: entry.name,
    [CatalogAttributes.latest]: Object.fromEntries(
      entry.records.map((record) => [catalogRecordKey(record), compactRecord(record)]),
    ),
    ...(timeline !== undefined ? { [CatalogAttributes.timeline]: timeline } : {}),
    [CatalogAttributes.revision]: revision,
  };
}

/**
 * The item a hub before timelines wrote for an entry (`lastSecond`, whole `records`, no revision):
 * what seeds give to prove such entries are still read, and replaced by the next write.
 */
export function toLegacyCatalogItem(entry: CatalogEntry): Item {
  const { legacy } = CatalogAttributes;
  return {
    ...catalogKey(entry.account, entry.region, entry.name),
    [legacy.account]: entry.account,
    [legacy.region]: entry.region,
    [CatalogAttributes.name]: entry.name,
    [legacy.lastSecond]: entry.lastSecond,
    [legacy.records]: Object.fromEntries(
      entry.records.map((record) => [catalogRecordKey(record), withoutUndefined(record)]),
    ),
  };
}

/** Whether two catalog items hold the same entry (their revisions aside). */
export function sameCatalogItem(a: Item, b: Item): boolean {
  const entry = (item: Item): Item =>
    Object.fromEntries(Object.entries(item).filter(([attribute]) => attribute !== CatalogAttributes.revision));
  return isDeepStrictEqual(entry(a), entry(b));
}

export function fromCatalogItem(item: Item): CatalogEntry {
  const { legacy } = CatalogAttributes;
  const fromKey = parseLocationPartition(String(item[IndexAttributes.partitionKey]));
  const name = String(item[CatalogAttributes.name]);
  if (item[legacy.records] !== undefined) {
    const records = Object.values(item[legacy.records] as Record<string, LifecycleRecord>);
    return {
      account: String(item[legacy.account] ?? fromKey?.account),
      region: String(item[legacy.region] ?? fromKey?.region),
      name,
      lastSecond: String(item[legacy.lastSecond]),
      records,
    };
  }
  const location = { account: fromKey?.account ?? '', region: fromKey?.region ?? '', name };
  const records = Object.entries((item[CatalogAttributes.latest] ?? {}) as Record<string, Item>).map(([key, fields]) =>
    expandRecord(location, key, fields),
  );
  const timeline = decodeTimeline(item[CatalogAttributes.timeline], records);
  return {
    ...location,
    lastSecond: records.length > 0 ? secondOf(records.map((r) => r.time).sort()[records.length - 1] as string) : '',
    records,
    ...(timeline ? { timeline } : {}),
  };
}

/** The revision a catalog item is at; undefined for an entry written before revisions. */
export function catalogRevision(item: Item): number | undefined {
  const revision = item[CatalogAttributes.revision];
  return typeof revision === 'number' ? revision : undefined;
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

/**
 * An organization account as the hub last read it from Organizations: its name and the path of
 * its organizational unit from the root (`Root/Workloads/Prod`). Cached so no reader calls
 * Organizations; the reconcile plan refreshes it (see AccountDirectory in @ssmhub/hub).
 */
export interface AccountEntry {
  readonly account: string;
  /** The account's name in Organizations. */
  readonly name?: string;
  /** The names from the root down to the account's parent, joined by `/` (`Root` for an account under the root). */
  readonly ouPath?: string;
  /** ISO time Organizations was read for it. */
  readonly refreshedAt: string;
}

/** The key of an account's directory item. */
export function accountKey(account: string): Item {
  return { [IndexAttributes.partitionKey]: ACCOUNTS_PARTITION, [IndexAttributes.sortKey]: account };
}

/** The item of an account's directory entry. */
export function toAccountItem(entry: AccountEntry): Item {
  return { ...accountKey(entry.account), ...withoutUndefined(entry) };
}

/** The account entry an item holds; absent or mistyped fields are left out. */
export function fromAccountItem(item: Item): AccountEntry {
  const text = (key: string): string | undefined => (typeof item[key] === 'string' ? (item[key] as string) : undefined);
  return withoutUndefined({
    account: text('account') ?? String(item[IndexAttributes.sortKey]),
    name: text('name'),
    ouPath: text('ouPath'),
    refreshedAt: text('refreshedAt') ?? '',
  }) as unknown as AccountEntry;
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
