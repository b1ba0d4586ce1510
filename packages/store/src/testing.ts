/**
 * What tests and benchmarks use of the store, apart from its production surface
 * (`@ssmhub/store/testing`): the index in memory, seeding an index table, and reading back the
 * restore records a restore wrote. Ingest, reconcile, the CLI and the console never call these.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunks, mapLimit, type IndexRecord, type LifecycleRecord, type ParameterLocation } from '@ssmhub/core';
import { mergeCatalogEntry } from './catalogTimeline.js';
import { RequestCounter } from './counter.js';
import type { IndexSeed } from './inMemoryIndex.js';
import { feedDayItem } from './index/feedDays.js';
import {
  toAccountItem,
  toCatalogItem,
  toLegacyCatalogItem,
  toRecordItem,
  toRegistryItem,
  type CatalogEntry,
  type Item,
} from './items.js';
import { IndexAttributes, feedShard, restorePartition } from './keys.js';
import { countedRequest, queryAll } from './query.js';
import { fromRestoreItems, isRestoreItem, isRestoreOutcomeItem, type RestoreRecord } from './restoreRecord.js';

export { InMemoryIndex, type IndexSeed, type InMemoryIndexOptions } from './inMemoryIndex.js';

/**
 * The catalog entry ingest leaves for a name whose history is `records` (labels are ignored): its
 * latest second's records and the marks of the ones before, as seeds give them to `seedIndex`.
 * `limit`: records the entry knows (a benchmark's other choice of CATALOG_TIMELINE_LIMIT).
 *
 * @example
 * const catalog = names.map((name) => catalogEntryFor({ account, region, name }, recordsOf(name)));
 */
export function catalogEntryFor(
  location: ParameterLocation,
  records: readonly IndexRecord[],
  options: { readonly limit?: number } = {},
): CatalogEntry {
  const lifecycle = records.filter((record): record is LifecycleRecord => record.kind !== 'label');
  const entry = mergeCatalogEntry(undefined, location, { records: lifecycle }, options.limit);
  if (!entry) throw new Error(`catalogEntryFor: ${location.name} has no lifecycle record`);
  return entry;
}

/** DynamoDB's size of a value: UTF-8 strings, numbers by their digits, 3 bytes per map or list plus 1 per element. */
function dynamoSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace('.', '').replace(/^0+/, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + dynamoSize(element) + 1, 0);
  return (
    3 +
    Object.entries(value as object).reduce(
      (sum, [key, element]) => sum + Buffer.byteLength(key) + dynamoSize(element) + 1,
      0,
    )
  );
}

/**
 * The bytes DynamoDB counts for a catalog entry's item (keys included): what a read of the catalog
 * pays per name. `legacy`: the item a hub before catalog timelines wrote.
 */
export function catalogItemSize(entry: CatalogEntry, format: 'timeline' | 'legacy' = 'timeline'): number {
  const item = format === 'legacy' ? toLegacyCatalogItem(entry) : toCatalogItem(entry);
  return Object.entries(item).reduce(
    (sum, [attribute, value]) => sum + Buffer.byteLength(attribute) + dynamoSize(value),
    0,
  );
}

/** The index table a test or a benchmark works on: what it gives `new IndexTable(...)` too. */
export interface IndexTableTarget {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Where the requests are counted. @default - a counter nobody reads */
  readonly counter?: RequestCounter;
}

/**
 * Writes records (with the feed-days markers of their days), catalog, registry and account entries
 * unconditionally, 25 a request (BatchWriteItem, unprocessed items retried): index data for
 * benchmarks and tests, without ingesting. Ingest and reconcile never do this: their writes are
 * conditional.
 *
 * @example
 * await seedIndex({ documents: sandbox.clients.ddb, tableName: sandbox.info.table }, { records, catalog });
 */
export async function seedIndex(table: IndexTableTarget, data: IndexSeed): Promise<void> {
  const counter = table.counter ?? new RequestCounter();
  const feedDays = new Map<string, Item>();
  for (const record of data.records ?? []) {
    const item = feedDayItem('hub', { day: record.time.slice(0, 10), shard: feedShard(record) });
    feedDays.set(`${String(item[IndexAttributes.partitionKey])}#${String(item[IndexAttributes.sortKey])}`, item);
  }
  const items = [
    ...(data.registry ?? []).map(toRegistryItem),
    ...(data.accounts ?? []).map(toAccountItem),
    ...(data.records ?? []).map(toRecordItem),
    ...(data.catalog ?? []).map((entry) => toCatalogItem(entry)),
    ...(data.legacyCatalog ?? []).map(toLegacyCatalogItem),
    ...feedDays.values(),
  ];
  await mapLimit(chunks(items, 25), 8, async (batch) => {
    let pending = batch.map((item) => ({ PutRequest: { Item: item } }));
    while (pending.length > 0) {
      const response = await countedRequest(counter, 'DynamoDB.BatchWriteItem', () =>
        table.documents.send(
          new BatchWriteCommand({ RequestItems: { [table.tableName]: pending }, ReturnConsumedCapacity: 'TOTAL' }),
        ),
      );
      pending = (response?.UnprocessedItems?.[table.tableName] ?? []) as typeof pending;
    }
  });
}

/**
 * The restores of one target account and region, oldest first, each with its outcome if it came
 * (one paged Query of their partition).
 *
 * @example
 * const [restore] = await listRestoreRecords({ documents: sandbox.clients.ddb, tableName: sandbox.info.table }, account, region);
 */
export async function listRestoreRecords(
  table: IndexTableTarget,
  account: string,
  region: string,
): Promise<RestoreRecord[]> {
  const items = await queryAll(
    { documents: table.documents, tableName: table.tableName, counter: table.counter ?? new RequestCounter() },
    {
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
      ExpressionAttributeValues: { ':pk': restorePartition(account, region) },
    },
  );
  const outcomes = new Map(items.filter(isRestoreOutcomeItem).map((item) => [String(item.restoreId), item]));
  return items.filter(isRestoreItem).map((item) => fromRestoreItems(item, outcomes.get(String(item.restoreId))));
}
