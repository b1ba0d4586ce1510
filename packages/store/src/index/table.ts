// Internal to @ssmhub/store: the plumbing every part of IndexTable shares (one table, one client,
// one counter, one consistency setting). Every request goes through here, so every one is counted.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { chunks, mapLimit } from '@ssmhub/core';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { RequestCounter } from '../counter.js';
import type { Item } from '../items.js';
import { IndexAttributes } from '../keys.js';
import { countedRequest, queryAll, type CapacityReport, type TableTarget } from '../query.js';

/** DynamoDB's limit of keys in one BatchGetItem. */
export const BATCH_GET_KEYS = 100;
/** BatchGetItem requests in flight at once. */
const BATCH_GET_CONCURRENCY = 8;
/** Requests for one batch before its unprocessed keys are an error. */
const BATCH_GET_ATTEMPTS = 8;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The table's own key attributes, as keyCondition names them. */
export const TABLE_KEYS = { pk: IndexAttributes.partitionKey, sk: IndexAttributes.sortKey } as const;

/** Sorts after every character of a key: the open end of a sort-key range. */
export const RANGE_END = '~';

export type KeyCondition = Pick<
  QueryCommandInput,
  'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/** A key condition on the table's (or a feed's) partition and sort keys. */
export function keyCondition(
  names: { readonly pk: string; readonly sk: string },
  pk: string,
  sort: { readonly prefix: string } | { readonly from: string; readonly to: string } | { readonly equals: string },
): KeyCondition {
  const [condition, values] =
    'prefix' in sort
      ? ['begins_with(#sk, :prefix)', { ':prefix': sort.prefix }]
      : 'equals' in sort
        ? ['#sk = :sk', { ':sk': sort.equals }]
        : ['#sk BETWEEN :from AND :to', { ':from': sort.from, ':to': sort.to }];
  return {
    KeyConditionExpression: `#pk = :pk AND ${condition}`,
    ExpressionAttributeNames: { '#pk': names.pk, '#sk': names.sk },
    ExpressionAttributeValues: { ':pk': pk, ...values },
  };
}

/** A key condition on one whole partition of the table. */
export function partitionCondition(pk: string): KeyCondition {
  return {
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
    ExpressionAttributeValues: { ':pk': pk },
  };
}

/** Whether a write failed only because its condition did not hold. */
export function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

export interface TableAccessOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly counter: RequestCounter;
  /** Read the table (not its indexes, which cannot) with strong consistency. */
  readonly consistentRead: boolean;
}

/** Counted reads and conditional writes of the index table. */
export class TableAccess {
  public readonly target: TableTarget;
  private readonly consistentRead: boolean;

  public constructor(options: TableAccessOptions) {
    this.target = { documents: options.documents, tableName: options.tableName, counter: options.counter };
    this.consistentRead = options.consistentRead;
  }

  public get counter(): RequestCounter {
    return this.target.counter;
  }

  /** The ConsistentRead a read of the table carries. */
  public consistency(): { ConsistentRead?: true } {
    return this.consistentRead ? { ConsistentRead: true } : {};
  }

  /** Every item of a Query of the table (all pages), read with the table's consistency. */
  public query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    return queryAll(this.target, { ...input, ...this.consistency() });
  }

  /** One item; `consistent` reads it strongly consistent whatever the table's setting (a read before a conditional write). */
  public async get(key: Item, options: { readonly consistent?: boolean } = {}): Promise<Item | undefined> {
    const response = await this.counted(
      'DynamoDB.GetItem',
      () =>
        this.target.documents.send(
          new GetCommand({
            TableName: this.target.tableName,
            Key: key,
            ReturnConsumedCapacity: 'TOTAL',
            ...(options.consistent ? { ConsistentRead: true } : this.consistency()),
          }),
        ),
      (r) => (r?.Item ? 1 : 0),
    );
    return response?.Item as Item | undefined;
  }

  /**
   * The items at `keys` (distinct), by BatchGetItem: 100 keys a request, a few in flight, the keys
   * DynamoDB leaves unprocessed asked again after a growing pause. Items come back in no order;
   * a key with no item has none.
   */
  public async getMany(keys: readonly Item[]): Promise<Item[]> {
    const found: Item[] = [];
    const table = this.target.tableName;
    await mapLimit(chunks(keys, BATCH_GET_KEYS), BATCH_GET_CONCURRENCY, async (batch) => {
      let pending: readonly Item[] = batch;
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt >= BATCH_GET_ATTEMPTS) {
          throw new Error(`DynamoDB left ${pending.length} keys of a BatchGetItem unprocessed ${attempt} times`);
        }
        if (attempt > 0) await pause(Math.min(50 * 2 ** attempt, 2_000) * (0.5 + Math.random() / 2));
        const response = await this.counted(
          'DynamoDB.BatchGetItem',
          () =>
            this.target.documents.send(
              new BatchGetCommand({
                RequestItems: { [table]: { Keys: [...pending], ...this.consistency() } },
                ReturnConsumedCapacity: 'TOTAL',
              }),
            ),
          (r) => r?.Responses?.[table]?.length ?? 0,
        );
        found.push(...((response?.Responses?.[table] ?? []) as Item[]));
        pending = (response?.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
      }
    });
    return found;
  }

  /** Puts an item unless one is at its key: the first write wins. @returns whether it wrote */
  public putIfAbsent(item: Item): Promise<boolean> {
    return this.conditional('DynamoDB.PutItem', () =>
      this.target.documents.send(
        new PutCommand({
          TableName: this.target.tableName,
          Item: item,
          ReturnConsumedCapacity: 'TOTAL',
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
        }),
      ),
    );
  }

  /** A conditional update (or, without `condition`, an unconditional one). @returns false when the condition failed */
  public update(
    key: Item,
    update: string,
    condition: string | undefined,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return this.conditional('DynamoDB.UpdateItem', () =>
      this.target.documents.send(
        new UpdateCommand({
          TableName: this.target.tableName,
          Key: key,
          UpdateExpression: update,
          ...(condition ? { ConditionExpression: condition } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
  }

  public counted<R extends CapacityReport>(
    call: string,
    send: () => Promise<R>,
    itemsOf?: (response: R) => number,
  ): Promise<R> {
    return countedRequest(this.counter, call, send, itemsOf);
  }

  /** Runs a conditional write. @returns false when its condition failed */
  private async conditional(call: string, send: () => Promise<CapacityReport>): Promise<boolean> {
    try {
      await this.counted(call, send);
      return true;
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
  }
}
