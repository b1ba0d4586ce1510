import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { GetCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from '@ssmhub/core';
import type { Hub } from './hub.js';
import type { RequestStats } from './stats.js';

/** One page of a Query. */
export interface QueryPage {
  readonly items: Item[];
  readonly lastKey?: Record<string, unknown>;
}

/** One Query request against the hub's table, counted in `stats`. */
export async function queryPage(
  hub: Hub,
  stats: RequestStats,
  input: Omit<QueryCommandInput, 'TableName'>,
): Promise<QueryPage> {
  const response = await hub.dynamo.send(
    new QueryCommand({ ...input, TableName: hub.table, ReturnConsumedCapacity: 'TOTAL' }),
  );
  const items = (response.Items ?? []) as Item[];
  stats.addDynamo(response.ConsumedCapacity?.CapacityUnits, items.length);
  return { items, ...(response.LastEvaluatedKey ? { lastKey: response.LastEvaluatedKey } : {}) };
}

/** Every item of a Query (all pages). */
export async function queryAll(
  hub: Hub,
  stats: RequestStats,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const items: Item[] = [];
  let lastKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPage(hub, stats, { ...input, ...(lastKey ? { ExclusiveStartKey: lastKey } : {}) });
    items.push(...page.items);
    lastKey = page.lastKey;
  } while (lastKey);
  return items;
}

/** One GetItem, counted in `stats`. */
export async function getItem(hub: Hub, stats: RequestStats, key: GetCommandInput['Key']): Promise<Item | undefined> {
  const response = await hub.dynamo.send(
    new GetCommand({ TableName: hub.table, Key: key, ReturnConsumedCapacity: 'TOTAL' }),
  );
  stats.addDynamo(response.ConsumedCapacity?.CapacityUnits, response.Item ? 1 : 0);
  return response.Item as Item | undefined;
}
