import {
  mapLimit,
  type IndexRecord,
  type ParameterLocation,
  type TombstoneRecord,
  type VersionRecord,
} from '@ssmhub/core';
import { CatalogAttributes, catalogKey, catalogRecordKey, fromRecordItem, toRecordItem, type Item } from '../items.js';
import {
  IndexAttributes,
  feedShard,
  locationPartition,
  recordPrefix,
  recordRangePrefix,
  recordTableKey,
  recordUpperBoundAtSecond,
} from '../keys.js';
import { queryPage, queryPages, type StartKey } from '../query.js';
import type { FeedDays, FeedPartition } from './feedDays.js';
import type { Location, RecordIndex, RecordPage, RegistryIndex, StoredRecordId } from './types.js';
import { RANGE_END, TABLE_KEYS, keyCondition, type KeyCondition, type TableAccess } from './table.js';

/** The key condition of every record of one location. */
function everyRecordOf(location: Location): KeyCondition {
  return keyCondition(TABLE_KEYS, locationPartition(location.account, location.region), {
    prefix: recordRangePrefix(''),
  });
}

/** The table key (no feed keys) of a record's item. */
function recordKey(record: IndexRecord): Item {
  const keys = toRecordItem(record);
  return {
    [IndexAttributes.partitionKey]: keys[IndexAttributes.partitionKey],
    [IndexAttributes.sortKey]: keys[IndexAttributes.sortKey],
  };
}

/**
 * Parameter records in DynamoDB: one partition per location, one contiguous, time-ordered range
 * per name (see keys.ts). Writes are conditional, so replays and concurrent writers converge.
 */
export class RecordTable implements RecordIndex {
  public constructor(
    private readonly table: TableAccess,
    private readonly feedDays: FeedDays,
    private readonly registry: Pick<RegistryIndex, 'noteCoverageStart'>,
  ) {}

  public async ofName(location: ParameterLocation): Promise<IndexRecord[]> {
    const items = await this.table.query(
      keyCondition(TABLE_KEYS, locationPartition(location.account, location.region), {
        prefix: recordPrefix(location.name),
      }),
    );
    return items.map(fromRecordItem);
  }

  public async from(location: ParameterLocation, fromSecond: string): Promise<IndexRecord[]> {
    const prefix = recordPrefix(location.name);
    const items = await this.table.query(
      keyCondition(TABLE_KEYS, locationPartition(location.account, location.region), {
        from: `${prefix}${fromSecond.slice(0, 19)}`,
        to: `${prefix}${RANGE_END}`,
      }),
    );
    return items.map(fromRecordItem);
  }

  public async before(
    location: ParameterLocation,
    at: string,
    page: { readonly limit: number; readonly startKey?: StartKey },
  ): Promise<RecordPage> {
    const result = await queryPage(this.table.target, {
      ...keyCondition(TABLE_KEYS, locationPartition(location.account, location.region), {
        from: recordPrefix(location.name),
        to: recordUpperBoundAtSecond(location.name, at),
      }),
      ScanIndexForward: false,
      Limit: page.limit,
      ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
      ...this.table.consistency(),
    });
    return { records: result.items.map(fromRecordItem), ...(result.lastKey ? { lastKey: result.lastKey } : {}) };
  }

  public async getMany(location: Location, wanted: readonly StoredRecordId[]): Promise<(IndexRecord | undefined)[]> {
    const keys = wanted.map((id) => recordTableKey({ ...location, name: id.name }, id));
    const found = new Map(
      (await this.table.getMany(keys)).map((item) => [String(item[IndexAttributes.sortKey]), fromRecordItem(item)]),
    );
    return keys.map((key) => found.get(String(key[IndexAttributes.sortKey])));
  }

  public async ofLocation(location: Location): Promise<IndexRecord[]> {
    return (await this.table.query(everyRecordOf(location))).map(fromRecordItem);
  }

  /** Reads every record of the location: DynamoDB filters them, so only matching names come back, but the read is paid in full. */
  public async namesWithFindings(location: Location): Promise<string[]> {
    const condition = everyRecordOf(location);
    const items = await this.table.query({
      ...condition,
      // attribute_exists first: the emulator fails size() of a missing attribute (DynamoDB says false).
      FilterExpression: 'attribute_exists(#findings) AND size(#findings) > :none',
      ProjectionExpression: '#name',
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#findings': 'findings', '#name': 'name' },
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':none': 0 },
    });
    return [...new Set(items.map((item) => String(item.name)))];
  }

  public async unanalysedVersions(location: Location, limit: number): Promise<VersionRecord[]> {
    const condition = everyRecordOf(location);
    const found: VersionRecord[] = [];
    for await (const page of queryPages(this.table.target, {
      ...condition,
      FilterExpression: '#kind = :version AND attribute_not_exists(#findings)',
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#kind': 'kind', '#findings': 'findings' },
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':version': 'version' },
      ...this.table.consistency(),
    })) {
      for (const item of page.items) {
        found.push(fromRecordItem(item) as VersionRecord);
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  public async annotate(
    record: VersionRecord,
    analysis: Pick<VersionRecord, 'digest' | 'digestKeyId' | 'findings'>,
  ): Promise<void> {
    const fields = Object.entries(analysis).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#findings': 'findings' };
    const values: Record<string, unknown> = {};
    const sets = fields.map(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    await this.table.update(
      recordKey(record),
      `SET ${sets.join(', ')}`,
      'attribute_exists(#pk) AND attribute_not_exists(#findings)',
      { ...names, '#pk': IndexAttributes.partitionKey },
      values,
    );
    // The entry's copy (when the entry holds the version), moving its revision on so that a writer
    // who read the entry before does not write the copy back unannotated; then, in an entry from
    // before timelines, its `records` copy.
    const key = catalogKey(record.account, record.region, record.name);
    const inCatalog = fields.map((_, i) => `#records.#key.#f${i} = :v${i}`);
    const wrote = await this.table.update(
      key,
      `SET ${inCatalog.join(', ')}, #rev = #rev + :one`,
      'attribute_exists(#records.#key) AND attribute_not_exists(#records.#key.#findings) AND attribute_exists(#rev)',
      {
        ...names,
        '#records': CatalogAttributes.latest,
        '#key': catalogRecordKey(record),
        '#rev': CatalogAttributes.revision,
      },
      { ...values, ':one': 1 },
    );
    if (wrote) return;
    await this.table.update(
      key,
      `SET ${inCatalog.join(', ')}`,
      'attribute_exists(#records.#key) AND attribute_not_exists(#records.#key.#findings)',
      { ...names, '#records': CatalogAttributes.legacy.records, '#key': catalogRecordKey(record) },
      values,
    );
  }

  /**
   * Writes the feed-days marker of each record's feed partition and moves the location's coverage
   * start back (a crash after it leaves only markers, which cost a wasted Query, never a missing
   * change). Each is written at most once per process and day-shard (or earlier time), so ingest
   * pays about one extra write per day and shard per Lambda instance, not one per record.
   */
  public async prepare(records: readonly IndexRecord[]): Promise<void> {
    const earliest = new Map<string, IndexRecord>();
    const feeds = new Map<string, FeedPartition>();
    for (const record of records) {
      const location = `${record.account}#${record.region}`;
      const known = earliest.get(location);
      if (!known || record.time < known.time) earliest.set(location, record);
      const feed = { day: record.time.slice(0, 10), shard: feedShard(record) };
      feeds.set(`${feed.day}#${feed.shard}`, feed);
    }
    await mapLimit([...feeds.values()], 8, (feed) => this.feedDays.ensure('hub', feed));
    await mapLimit([...earliest.values()], 8, (record) =>
      this.registry.noteCoverageStart(record.account, record.region, record.time),
    );
  }

  public put(record: IndexRecord): Promise<boolean> {
    return this.table.putIfAbsent(toRecordItem(record));
  }

  public async markPrecedes(tombstone: TombstoneRecord): Promise<void> {
    await this.table.update(
      recordKey(tombstone),
      'SET #precedes = :precedes',
      'attribute_exists(#pk) AND attribute_not_exists(#precedes)',
      { '#precedes': 'precedes', '#pk': IndexAttributes.partitionKey },
      { ':precedes': tombstone.precedes },
    );
  }
}
