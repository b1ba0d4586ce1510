/**
 * What tests and benchmarks use of the store, apart from its production surface
 * (`@ssmhub/store/testing`): the index in memory, seeding an index table, and reading back the
 * restore records a restore wrote. Ingest, reconcile, the CLI and the console never call these.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunks, mapLimit } from '@ssmhub/core';
import { RequestCounter } from './counter.js';
import type { IndexSeed } from './inMemoryIndex.js';
import { feedDayItem } from './index/feedDays.js';
import { toCatalogItem, toRecordItem, toRegistryItem, type Item } from './items.js';
import { IndexAttributes, feedShard, restorePartition } from './keys.js';
import { countedRequest, queryAll } from './query.js';
import { fromRestoreItems, isRestoreItem, isRestoreOutcomeItem, type RestoreRecord } from './restoreRecord.js';

export { InMemoryIndex, type IndexSeed, type InMemoryIndexOptions } from './inMemoryIndex.js';

/** The index table a test or a benchmark works on: what it gives `new IndexTable(...)` too. */
export interface IndexTableTarget {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Where the requests are counted. @default - a counter nobody reads */
  readonly counter?: RequestCounter;
}

/**
 * Writes records (with the feed-days markers of their days), catalog entries and registry entries
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
    ...(data.records ?? []).map(toRecordItem),
    ...(data.catalog ?? []).map(toCatalogItem),
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
