import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { RequestCounter } from './counter.js';
import type { Item } from './items.js';

/** A DynamoDB primary key (or LastEvaluatedKey) as the document client reads it. */
export type StartKey = Record<string, unknown>;

/** One page of a Query. */
export interface QueryPage {
  readonly items: Item[];
  /** How many items matched (for `Select: 'COUNT'`, the only figure a page carries). */
  readonly count: number;
  /** Where the next page starts; absent on the last page. */
  readonly lastKey?: StartKey;
}

/** Where the store's requests go: the table, its client, and the counter every request is counted in. */
export interface TableTarget {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly counter: RequestCounter;
}

/** What a DynamoDB response says it consumed (one table, or several for batch requests). */
export interface CapacityReport {
  readonly ConsumedCapacity?: { CapacityUnits?: number } | readonly { CapacityUnits?: number }[];
}

/** The capacity a DynamoDB response reports (ReturnConsumedCapacity TOTAL). */
function consumedCapacityOf(response: CapacityReport | undefined): number {
  const reports = response?.ConsumedCapacity;
  if (reports === undefined) return 0;
  return (Array.isArray(reports) ? reports : [reports]).reduce((sum, r) => sum + (r.CapacityUnits ?? 0), 0);
}

/**
 * Sends one DynamoDB request and counts it in `counter` (a failed one too), with the capacity and
 * the items (`itemsOf`) its response reports.
 */
export async function countedRequest<R extends CapacityReport>(
  counter: RequestCounter,
  call: string,
  send: () => Promise<R>,
  itemsOf: (response: R) => number = () => 0,
): Promise<R> {
  let response: R;
  try {
    response = await send();
  } catch (error) {
    counter.count(call);
    throw error;
  }
  counter.count(call, { consumedCapacity: consumedCapacityOf(response), items: itemsOf(response) });
  return response;
}

/** One Query request, counted. */
export async function queryPage(target: TableTarget, input: Omit<QueryCommandInput, 'TableName'>): Promise<QueryPage> {
  const response = await countedRequest(
    target.counter,
    'DynamoDB.Query',
    () =>
      target.documents.send(
        new QueryCommand({ ...input, TableName: target.tableName, ReturnConsumedCapacity: 'TOTAL' }),
      ),
    (r) => r?.Items?.length ?? 0,
  );
  const items = (response?.Items ?? []) as Item[];
  return {
    items,
    count: response?.Count ?? items.length,
    ...(response?.LastEvaluatedKey ? { lastKey: response.LastEvaluatedKey } : {}),
  };
}

/**
 * Every page of a Query, one after another, following LastEvaluatedKey to the end (a page may be
 * empty and still have a next one).
 */
export async function* queryPages(
  target: TableTarget,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): AsyncGenerator<QueryPage> {
  let lastKey: StartKey | undefined;
  do {
    const page = await queryPage(target, { ...input, ...(lastKey ? { ExclusiveStartKey: lastKey } : {}) });
    yield page;
    lastKey = page.lastKey;
  } while (lastKey);
}

/** Every item of a Query (all pages). */
export async function queryAll(
  target: TableTarget,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(target, input)) items.push(...page.items);
  return items;
}
