import type {
  IndexRecord,
  ParameterLocation,
  ParameterState,
  PresenceRecord,
  Selector,
  TombstoneRecord,
  VersionRecord,
} from '@ssmhub/core';
import { RequestCounter } from './counter.js';
import { changeFilter, feedEntryOf, inFeedOrder, isFeedChange } from './index/feed.js';
import { stateAt, stateOf } from './index/pointInTime.js';
import { RestoreLogItems, alreadyRecorded, type AppendOnlyItem } from './index/restoreLog.js';
import { BATCH_GET_KEYS, RANGE_END } from './index/table.js';
import { CATALOG_TIMELINE_LIMIT, mergeCatalogEntry, type CatalogChange } from './catalogTimeline.js';
import type {
  CatalogIndex,
  ChangeQuery,
  FeedEntry,
  FeedIndex,
  Index,
  Location,
  LocationCoverage,
  RecordIndex,
  RecordPage,
  RegistryIndex,
  RestoreLog,
  RestoreTarget,
  StoredRecordId,
  SweepStatus,
} from './index/types.js';
import {
  CatalogAttributes,
  CoverageAttributes,
  RegistryAttributes,
  catalogKey,
  catalogRecordKey,
  catalogRevision,
  coverageKey,
  fromCatalogItem,
  fromCoverageItem,
  fromRecordItem,
  fromRegistryItem,
  accountKey,
  fromAccountItem,
  toAccountItem,
  registryKey,
  sameCatalogItem,
  toCatalogItem,
  toLegacyCatalogItem,
  toRecordItem,
  toRegistryItem,
  type CatalogEntry,
  type Item,
  type AccountEntry,
  type RegistryEntry,
} from './items.js';
import {
  COVERAGE_PARTITION,
  IndexAttributes,
  ACCOUNTS_PARTITION,
  REGISTRY_PARTITION,
  catalogRangePrefix,
  locationPartition,
  orgRestorePartition,
  recordPrefix,
  recordRangePrefix,
  recordTableKey,
  recordUpperBoundAtSecond,
  registrySortKey,
} from './keys.js';
import type { StartKey } from './query.js';
import {
  fromOrgRestoreItems,
  fromRestoreIntentItem,
  fromRestoreItems,
  isRestoreItem,
  fromOrgRestoreIntentItem,
  orgRestoreIntentKey,
  restoreKey,
} from './restoreRecord.js';
import type {
  OrgRestoreIntent,
  OrgRestoreLocationRecord,
  OrgRestoreRecords,
  RestoreIntent,
  RestoreOutcomeRecord,
} from './restoreRecord.js';

const { partitionKey: PK, sortKey: SK } = IndexAttributes;
/** Sorts after every character of a key (the open end of a prefix range). */
const AFTER_EVERY_KEY = '\uffff';
/** DynamoDB ends a Query page at 1 MB of items read. */
const PAGE_BYTES = 1024 * 1024;
/** One read unit reads up to 4 KB strongly consistent; an eventually consistent read costs half. */
const READ_UNIT_BYTES = 4096;

/** An item's size as DynamoDB bills it, approximated by its JSON. */
function sizeOf(item: Item): number {
  return Buffer.byteLength(JSON.stringify(item));
}

/** What one read looked at and what it returned, for the counter. */
interface ReadCost {
  readonly read: readonly Item[];
  readonly returned: number;
}

/**
 * The items of an in-memory table under the index's own keys (keys.ts), so ranges, order and
 * long-name shortening are those of the DynamoDB table. Items are copied in and out: a caller
 * cannot change what is stored.
 */
class MemoryItems {
  private partitions = new Map<string, Map<string, Item>>();
  /** Each partition's sort keys in order, dropped when the partition gains a key. */
  private sortedKeys = new Map<string, string[]>();

  public constructor(
    private readonly counter: RequestCounter,
    private readonly consistentRead: boolean,
  ) {}

  /** Holds `other`'s items from now on (a view of one index that counts elsewhere). */
  public share(other: MemoryItems): void {
    this.partitions = other.partitions;
    this.sortedKeys = other.sortedKeys;
  }

  public get(key: Item): Item | undefined {
    const item = this.partitions.get(String(key[PK]))?.get(String(key[SK]));
    return item === undefined ? undefined : structuredClone(item);
  }

  public put(item: Item): void {
    const pk = String(item[PK]);
    let partition = this.partitions.get(pk);
    if (!partition) this.partitions.set(pk, (partition = new Map()));
    const sk = String(item[SK]);
    if (!partition.has(sk)) this.sortedKeys.delete(pk);
    partition.set(sk, structuredClone(item));
  }

  /** Puts an item unless one is at its key. @returns whether it wrote */
  public putIfAbsent(item: Item): boolean {
    this.counter.count('DynamoDB.PutItem');
    if (this.get(item)) return false;
    this.put(item);
    return true;
  }

  /** Changes (or creates) the item at `key` when `when` holds for what is there. @returns whether it did */
  public update(key: Item, when: (current: Item | undefined) => boolean, change: (item: Item) => void): boolean {
    this.counter.count('DynamoDB.UpdateItem');
    const current = this.get(key);
    if (!when(current)) return false;
    const item = current ?? { [PK]: key[PK], [SK]: key[SK] };
    change(item);
    this.put(item);
    return true;
  }

  /** The items of one partition with sort keys from `from` to `to` (inclusive), in key order. */
  public range(pk: string, from: string, to: string): Item[] {
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    let keys = this.sortedKeys.get(pk);
    if (!keys) this.sortedKeys.set(pk, (keys = [...partition.keys()].sort()));
    return keys
      .slice(
        firstIndex(keys, (sk) => sk >= from),
        firstIndex(keys, (sk) => sk > to),
      )
      .map((sk) => structuredClone(partition.get(sk) as Item));
  }

  public prefix(pk: string, prefix: string): Item[] {
    return this.range(pk, prefix, `${prefix}${AFTER_EVERY_KEY}`);
  }

  /** Every item, in partition and key order. */
  public all(): Item[] {
    return [...this.partitions.keys()].sort().flatMap((pk) => this.prefix(pk, ''));
  }

  /** Counts one read as DynamoDB would bill it: a request per 1 MB read, read units per 4 KB. */
  public bill(
    call: 'DynamoDB.Query' | 'DynamoDB.GetItem' | 'DynamoDB.BatchGetItem',
    { read, returned }: ReadCost,
    options: { readonly consistent?: boolean } = {},
  ): void {
    const sizes = read.map(sizeOf);
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    const requests =
      call === 'DynamoDB.Query'
        ? Math.max(1, Math.ceil(bytes / PAGE_BYTES))
        : call === 'DynamoDB.BatchGetItem'
          ? Math.ceil(read.length / BATCH_GET_KEYS)
          : 1;
    // A batch bills each item apart, each rounded up to 4 KB; a read of a range, its whole size.
    const units =
      call === 'DynamoDB.BatchGetItem'
        ? sizes.reduce((sum, size) => sum + Math.ceil(size / READ_UNIT_BYTES), 0)
        : Math.max(requests, Math.ceil(bytes / READ_UNIT_BYTES));
    const consumedCapacity = this.consistentRead || options.consistent ? units : units / 2;
    for (let i = 0; i < requests; i += 1) {
      this.counter.count(call, i === 0 ? { consumedCapacity, items: returned } : {});
    }
  }

  /** A read that returns what it read. */
  public billed(call: 'DynamoDB.Query' | 'DynamoDB.GetItem', items: Item[]): Item[] {
    this.bill(call, { read: items, returned: items.length });
    return items;
  }
}

class MemoryRecords implements RecordIndex {
  public constructor(
    private readonly items: MemoryItems,
    private readonly registry: Pick<RegistryIndex, 'noteCoverageStart'>,
  ) {}

  public async ofName(location: ParameterLocation): Promise<IndexRecord[]> {
    const items = this.items.prefix(partitionOf(location), recordPrefix(location.name));
    return this.items.billed('DynamoDB.Query', items).map(fromRecordItem);
  }

  public async from(location: ParameterLocation, fromSecond: string): Promise<IndexRecord[]> {
    const prefix = recordPrefix(location.name);
    const items = this.items.range(
      partitionOf(location),
      `${prefix}${fromSecond.slice(0, 19)}`,
      `${prefix}${RANGE_END}`,
    );
    return this.items.billed('DynamoDB.Query', items).map(fromRecordItem);
  }

  public async before(
    location: ParameterLocation,
    at: string,
    page: { readonly limit: number; readonly startKey?: StartKey },
  ): Promise<RecordPage> {
    const start = page.startKey?.[SK];
    const newestFirst = this.items
      .range(partitionOf(location), recordPrefix(location.name), recordUpperBoundAtSecond(location.name, at))
      .reverse()
      .filter((item) => start === undefined || String(item[SK]) < String(start));
    const items = newestFirst.slice(0, page.limit);
    this.items.billed('DynamoDB.Query', items);
    // As DynamoDB: a page that stops at its limit has a next key, even when nothing is left.
    const last = items.length === page.limit ? items.at(-1) : undefined;
    return { records: items.map(fromRecordItem), ...(last ? { lastKey: { [PK]: last[PK], [SK]: last[SK] } } : {}) };
  }

  public async getMany(location: Location, wanted: readonly StoredRecordId[]): Promise<(IndexRecord | undefined)[]> {
    const found = wanted.map((id) => this.items.get(recordTableKey({ ...location, name: id.name }, id)));
    const items = found.filter((item): item is Item => item !== undefined);
    // One request per 100 keys (the table's pages of unprocessed keys cost it more, never less).
    if (wanted.length > 0) this.items.bill('DynamoDB.BatchGetItem', { read: items, returned: items.length });
    return found.map((item) => (item ? fromRecordItem(item) : undefined));
  }

  public async ofLocation(location: Location): Promise<IndexRecord[]> {
    return this.items.billed('DynamoDB.Query', this.everyRecordOf(location)).map(fromRecordItem);
  }

  public async namesWithFindings(location: Location): Promise<string[]> {
    const read = this.everyRecordOf(location);
    const found = read.filter((item) => Array.isArray(item.findings) && item.findings.length > 0);
    this.items.bill('DynamoDB.Query', { read, returned: found.length });
    return [...new Set(found.map((item) => String(item.name)))];
  }

  public async unanalysedVersions(location: Location, limit: number): Promise<VersionRecord[]> {
    const read = this.everyRecordOf(location);
    const found = read.filter((item) => item.kind === 'version' && item.findings === undefined).slice(0, limit);
    this.items.bill('DynamoDB.Query', { read, returned: found.length });
    return found.map((item) => fromRecordItem(item) as VersionRecord);
  }

  public async annotate(
    record: VersionRecord,
    analysis: Pick<VersionRecord, 'digest' | 'digestKeyId' | 'findings'>,
  ): Promise<void> {
    const fields = Object.fromEntries(Object.entries(analysis).filter(([, v]) => v !== undefined));
    this.items.update(
      toRecordItem(record),
      (current) => current !== undefined && current.findings === undefined,
      (item) => Object.assign(item, fields),
    );
    const key = catalogRecordKey(record);
    const copyIn = (item: Item | undefined, attribute: string): Record<string, Item> | undefined =>
      item?.[attribute] as Record<string, Item> | undefined;
    const annotatable = (item: Item | undefined, attribute: string): boolean =>
      copyIn(item, attribute)?.[key] !== undefined && copyIn(item, attribute)?.[key]?.findings === undefined;
    const catalogEntry = catalogKey(record.account, record.region, record.name);
    const { latest, revision } = CatalogAttributes;
    const wrote = this.items.update(
      catalogEntry,
      (current) => annotatable(current, latest) && typeof current?.[revision] === 'number',
      (item) => {
        Object.assign(copyIn(item, latest)?.[key] ?? {}, fields);
        item[revision] = Number(item[revision]) + 1;
      },
    );
    if (wrote) return;
    const { records } = CatalogAttributes.legacy;
    this.items.update(
      catalogEntry,
      (current) => annotatable(current, records),
      (item) => Object.assign(copyIn(item, records)?.[key] ?? {}, fields),
    );
  }

  /** Notes each location's coverage start (this index keeps no feed-days markers: its feed is read whole). */
  public async prepare(records: readonly IndexRecord[]): Promise<void> {
    const earliest = new Map<string, IndexRecord>();
    for (const record of records) {
      const known = earliest.get(partitionOf(record));
      if (!known || record.time < known.time) earliest.set(partitionOf(record), record);
    }
    for (const record of earliest.values()) {
      await this.registry.noteCoverageStart(record.account, record.region, record.time);
    }
  }

  public async put(record: IndexRecord): Promise<boolean> {
    return this.items.putIfAbsent(toRecordItem(record));
  }

  public async markPrecedes(tombstone: TombstoneRecord): Promise<void> {
    this.items.update(
      toRecordItem(tombstone),
      (current) => current !== undefined && current.precedes === undefined,
      (item) => (item.precedes = tombstone.precedes),
    );
  }

  private everyRecordOf(location: Location): Item[] {
    return this.items.prefix(partitionOf(location), recordRangePrefix(''));
  }
}

class MemoryCatalog implements CatalogIndex {
  public constructor(
    private readonly items: MemoryItems,
    private readonly timelineLimit: number,
  ) {}

  public async range(location: Location, prefix: string): Promise<CatalogEntry[]> {
    return this.items.billed('DynamoDB.Query', this.rangeItems(location, prefix)).map(fromCatalogItem);
  }

  public async hasUnder(location: Location, prefix: string): Promise<boolean> {
    const first = this.rangeItems(location, prefix).slice(0, 1);
    this.items.billed('DynamoDB.Query', first);
    return first.length > 0;
  }

  public async size(location: Location): Promise<number> {
    const read = this.rangeItems(location, '');
    this.items.bill('DynamoDB.Query', { read, returned: 0 });
    return read.length;
  }

  public async entry(location: ParameterLocation): Promise<CatalogEntry | undefined> {
    const item = this.items.get(catalogKey(location.account, location.region, location.name));
    this.items.billed('DynamoDB.GetItem', item ? [item] : []);
    return item ? fromCatalogItem(item) : undefined;
  }

  public async has(location: ParameterLocation): Promise<boolean> {
    const item = this.items.get(catalogKey(location.account, location.region, location.name));
    this.items.bill('DynamoDB.Query', { read: item ? [item] : [], returned: item ? 1 : 0 });
    return item !== undefined;
  }

  /** As the table's: a strongly consistent read, then one write when the merge changes the entry (nothing runs in between here). */
  public async update(location: ParameterLocation, change: CatalogChange): Promise<void> {
    const key = catalogKey(location.account, location.region, location.name);
    const item = this.items.get(key);
    this.items.bill('DynamoDB.GetItem', { read: item ? [item] : [], returned: item ? 1 : 0 }, { consistent: true });
    const next = mergeCatalogEntry(item ? fromCatalogItem(item) : undefined, location, change, this.timelineLimit);
    if (next === undefined) return;
    const nextItem = toCatalogItem(next, (item ? (catalogRevision(item) ?? 0) : 0) + 1);
    if (item && sameCatalogItem(item, nextItem)) return;
    this.items.update(
      key,
      () => true,
      (target) => {
        for (const attribute of Object.keys(target)) if (attribute !== PK && attribute !== SK) delete target[attribute];
        Object.assign(target, nextItem);
      },
    );
  }

  private rangeItems(location: Location, prefix: string): Item[] {
    return this.items.prefix(partitionOf(location), catalogRangePrefix(prefix));
  }
}

class MemoryFeed implements FeedIndex {
  public constructor(private readonly items: MemoryItems) {}

  /** One read of every item the feeds list, whatever the range. */
  public async changes(query: ChangeQuery): Promise<FeedEntry[]> {
    const selected = changeFilter(query);
    const sortKey = IndexAttributes.feedSortKey;
    const until = `${query.until}${RANGE_END}`;
    const listed = this.items.all().filter((item) => {
      const key = item[sortKey];
      return typeof key === 'string' && key >= query.since && key <= until;
    });
    this.items.billed('DynamoDB.Query', listed);
    query.onProgress?.(1, 1);
    const entries = listed.filter(isFeedChange).map((item) => {
      if (!isRestoreItem(item)) return { sortKey: String(item[sortKey]), entry: feedEntryOf(item) };
      const intent = fromRestoreItems(item);
      return {
        sortKey: String(item[sortKey]),
        entry: feedEntryOf(item, this.items.get(restoreKey(intent, intent.time, 'outcome'))),
      };
    });
    return inFeedOrder(entries).filter(selected);
  }

  /** Nothing to backfill (no markers): how many org feed partitions hold anything. */
  public async backfillDays(): Promise<number> {
    return new Set(
      this.items
        .all()
        .map((item) => item[IndexAttributes.feedPartitionKey])
        .filter(Boolean),
    ).size;
  }
}

class MemoryRegistry implements RegistryIndex {
  public constructor(private readonly items: MemoryItems) {}

  public async entry(account: string, region: string): Promise<RegistryEntry | undefined> {
    const item = this.items.get(registryKey(account, region));
    this.items.billed('DynamoDB.GetItem', item ? [item] : []);
    return item ? fromRegistryItem(item) : undefined;
  }

  public async list(account?: string): Promise<RegistryEntry[]> {
    const prefix = account === undefined ? '' : registrySortKey(account, '');
    return this.items.billed('DynamoDB.Query', this.items.prefix(REGISTRY_PARTITION, prefix)).map(fromRegistryItem);
  }

  public async touch(account: string, region: string, eventTime: string): Promise<void> {
    this.items.update(
      registryKey(account, region),
      (current) =>
        current?.[RegistryAttributes.lastEventAt] === undefined ||
        String(current[RegistryAttributes.lastEventAt]) < eventTime,
      (item) => Object.assign(item, { [RegistryAttributes.lastEventAt]: eventTime, account, region }),
    );
  }

  public async recordSweep(status: SweepStatus): Promise<void> {
    const { lastSweepAt, lastSweepParameters, lastSweepRepaired, baselineAt } = RegistryAttributes;
    this.items.update(
      registryKey(status.account, status.region),
      (current) => current?.[lastSweepAt] === undefined || String(current[lastSweepAt]) < status.finishedAt,
      (item) => {
        Object.assign(item, {
          account: status.account,
          region: status.region,
          [lastSweepAt]: status.finishedAt,
          [lastSweepParameters]: status.parameters,
          [lastSweepRepaired]: status.repaired,
        });
        if (status.baseline) item[baselineAt] ??= status.finishedAt;
      },
    );
  }

  public async markAnalysisBackfilled(account: string, region: string, at: string): Promise<void> {
    const attribute = RegistryAttributes.analysisBackfilledAt;
    this.items.update(
      registryKey(account, region),
      (current) => current?.[attribute] === undefined,
      (item) => (item[attribute] = at),
    );
  }

  public async noteCoverageStart(account: string, region: string, time: string): Promise<void> {
    const attribute = CoverageAttributes.coverageStartAt;
    this.items.update(
      coverageKey(account, region),
      (current) => current?.[attribute] === undefined || String(current[attribute]) > time,
      (item) => Object.assign(item, { [attribute]: time, account, region }),
    );
  }

  public async countUncaptured(account: string, region: string, changes: number): Promise<void> {
    const attribute = CoverageAttributes.uncapturedChanges;
    this.items.update(
      coverageKey(account, region),
      () => true,
      (item) => Object.assign(item, { [attribute]: Number(item[attribute] ?? 0) + changes, account, region }),
    );
  }

  public async coverage(): Promise<LocationCoverage[]> {
    return this.items.billed('DynamoDB.Query', this.items.prefix(COVERAGE_PARTITION, '')).map(fromCoverageItem);
  }

  public async coverageStart(account: string, region: string): Promise<string | undefined> {
    const item = this.items.get(coverageKey(account, region));
    this.items.billed('DynamoDB.GetItem', item ? [item] : []);
    return item ? fromCoverageItem(item).coverageStartAt : undefined;
  }

  public async accounts(): Promise<AccountEntry[]> {
    return this.items.billed('DynamoDB.Query', this.items.prefix(ACCOUNTS_PARTITION, '')).map(fromAccountItem);
  }

  public async putAccounts(entries: readonly AccountEntry[]): Promise<void> {
    for (const entry of entries) {
      this.items.update(
        accountKey(entry.account),
        (current) => current?.['refreshedAt'] === undefined || String(current['refreshedAt']) < entry.refreshedAt,
        (item) => {
          delete item['name'];
          delete item['ouPath'];
          Object.assign(item, toAccountItem(entry));
        },
      );
    }
  }
}

class MemoryRestoreLog implements RestoreLog {
  public constructor(private readonly items: MemoryItems) {}

  public async putIntent(intent: RestoreIntent): Promise<void> {
    this.append(RestoreLogItems.intent(intent));
  }

  public async putOutcome(outcome: RestoreOutcomeRecord): Promise<void> {
    this.append(RestoreLogItems.outcome(outcome));
  }

  public async putOrgIntent(intent: OrgRestoreIntent): Promise<void> {
    this.append(RestoreLogItems.orgIntent(intent));
  }

  public async putOrgLocation(record: OrgRestoreLocationRecord): Promise<void> {
    this.append(RestoreLogItems.orgLocation(record));
  }

  public async readOrg(restoreId: string): Promise<OrgRestoreRecords> {
    return fromOrgRestoreItems(
      this.items.billed('DynamoDB.Query', this.items.prefix(orgRestorePartition(restoreId), '')),
    );
  }

  public async readOrgIntent(restoreId: string): Promise<OrgRestoreIntent | undefined> {
    const item = this.items.get(orgRestoreIntentKey(restoreId));
    this.items.billed('DynamoDB.GetItem', item ? [item] : []);
    return item ? fromOrgRestoreIntentItem(item) : undefined;
  }

  public async readIntent(restore: RestoreTarget, startedAt: string): Promise<RestoreIntent | undefined> {
    const item = this.items.get(restoreKey(restore, startedAt, 'intent'));
    this.items.billed('DynamoDB.GetItem', item ? [item] : []);
    return item ? fromRestoreIntentItem(item) : undefined;
  }

  private append({ item, what }: AppendOnlyItem): void {
    if (!this.items.putIfAbsent(item)) throw alreadyRecorded(what);
  }
}

/** The first index of sorted `keys` where `reached` holds (it holds from there on), by bisection. */
function firstIndex(keys: readonly string[], reached: (key: string) => boolean): number {
  let [low, high] = [0, keys.length];
  while (low < high) {
    const middle = (low + high) >> 1;
    if (reached(keys[middle] as string)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Whether an item is a parameter record (not a catalog, registry, coverage or restore item). */
function isRecordItem(item: Item): boolean {
  return String(item[SK]).startsWith(recordRangePrefix(''));
}

function partitionOf(location: Location): string {
  return locationPartition(location.account, location.region);
}

/** What a test writes into an index as it is, unconditionally: `InMemoryIndex.seed`, or `seedIndex` for a table. */
export interface IndexSeed {
  readonly records?: readonly IndexRecord[];
  readonly catalog?: readonly CatalogEntry[];
  /** Catalog entries as a hub before catalog timelines wrote them (no timeline, no revision). */
  readonly legacyCatalog?: readonly CatalogEntry[];
  readonly registry?: readonly RegistryEntry[];
  /** The organization's accounts with their names and OU paths. */
  readonly accounts?: readonly AccountEntry[];
}

export interface InMemoryIndexOptions {
  /** Where every request is counted, as DynamoDB would bill it. @default - a counter of its own */
  readonly counter?: RequestCounter;
  /** Bill reads as strongly consistent (IndexTable's `consistentRead`). @default false */
  readonly consistentRead?: boolean;
  /**
   * Records a catalog entry knows (CATALOG_TIMELINE_LIMIT on the table): a smaller one makes
   * histories deeper than the catalog's timeline cheaply, for tests of what reads then.
   * @default CATALOG_TIMELINE_LIMIT
   */
  readonly catalogTimelineLimit?: number;
}

/**
 * The hub's index in memory, behind the same interface as IndexTable: the same keys, ranges,
 * conditional writes, append-only restore log and read strategies (`stateAt`, `stateOf` are the
 * very same code), with each request counted as DynamoDB would bill it. For unit tests of
 * anything that reads or writes the index; an integration test runs the same contract on both.
 *
 * @example
 * const index = new InMemoryIndex();
 * index.seed({ records: [versionRecord('/app/db', 1, '2026-11-21T10:00:00.000Z')] });
 * const [snapshot] = await index.stateAt(location, parseSelector('/app/', true), ['2026-11-21T11:00:00.000Z']);
 */
export class InMemoryIndex implements Index {
  public readonly counter: RequestCounter;
  public readonly records: RecordIndex;
  public readonly catalog: CatalogIndex;
  public readonly feed: FeedIndex;
  public readonly registry: RegistryIndex;
  public readonly restores: RestoreLog;
  private readonly items: MemoryItems;

  public constructor(private readonly options: InMemoryIndexOptions = {}) {
    this.counter = options.counter ?? new RequestCounter();
    this.items = new MemoryItems(this.counter, options.consistentRead ?? false);
    this.registry = new MemoryRegistry(this.items);
    this.records = new MemoryRecords(this.items, this.registry);
    this.catalog = new MemoryCatalog(this.items, options.catalogTimelineLimit ?? CATALOG_TIMELINE_LIMIT);
    this.feed = new MemoryFeed(this.items);
    this.restores = new MemoryRestoreLog(this.items);
  }

  /**
   * The same index (writes through either show in both), counting its requests in `counter`: what
   * a connection or a function that counts each call's requests is given.
   *
   * @example
   * const hub = await createHub({ index: (counter) => index.countingIn(counter) });
   */
  public countingIn(counter: RequestCounter): InMemoryIndex {
    const view = new InMemoryIndex({ ...this.options, counter });
    view.items.share(this.items);
    return view;
  }

  /** Writes records, catalog entries and registry entries unconditionally and uncounted (a test's fixture). */
  public seed(data: IndexSeed): this {
    for (const record of data.records ?? []) this.items.put(toRecordItem(record));
    for (const entry of data.catalog ?? []) this.items.put(toCatalogItem(entry));
    for (const entry of data.legacyCatalog ?? []) this.items.put(toLegacyCatalogItem(entry));
    for (const entry of data.registry ?? []) this.items.put(toRegistryItem(entry));
    for (const entry of data.accounts ?? []) this.items.put(toAccountItem(entry));
    return this;
  }

  /** Every record of every location, each location's in key order (what a test compares). */
  public allRecords(): IndexRecord[] {
    return this.items.all().filter(isRecordItem).map(fromRecordItem);
  }

  /** Every item held, keys included (what a test searches for what must never be stored). */
  public contents(): Item[] {
    return this.items.all();
  }

  public stateAt(
    location: Location,
    selector: Selector,
    moments: readonly string[],
  ): Promise<Map<string, PresenceRecord>[]> {
    return stateAt(this, location, selector, moments);
  }

  public stateOf(location: ParameterLocation, at: string): Promise<ParameterState> {
    return stateOf(this.records, location, at);
  }
}
