import { BatchWriteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;

/** DynamoDB ends a Query page at 1 MB of items read. */
const PAGE_BYTES = 1024 * 1024;
/** One read unit reads up to 4 KB strongly consistent; an eventually consistent read costs half. */
const READ_UNIT_BYTES = 4096;

/** An item's size as DynamoDB bills it, approximated by its JSON (names and values, UTF-8). */
function sizeOf(item: Item): number {
  return Buffer.byteLength(JSON.stringify(item));
}

interface QueryInput {
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
  readonly ScanIndexForward?: boolean;
  readonly Limit?: number;
  readonly ExclusiveStartKey?: Item;
  readonly ConsistentRead?: boolean;
  readonly Select?: string;
  readonly IndexName?: string;
  readonly FilterExpression?: string;
}

/**
 * One table with a `pk`/`sk` key behind a mocked document client, answering Query the way
 * DynamoDB counts it: the key conditions the store writes (`=`, `begins_with`, `BETWEEN`), both
 * directions, `Limit`, 1 MB pages and `ExclusiveStartKey`, with the read units DynamoDB would
 * report (item sizes summed per request, rounded up to 4 KB, halved when eventually consistent).
 * GetItem and BatchWriteItem (the store's `load`) too. Unit tests count items and read units on it.
 */
export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, Item>>();
  /** Each partition's sort keys in order, rebuilt after a write. */
  private readonly sortedKeys = new Map<string, string[]>();

  public install(mock: AwsClientStub<DynamoDBDocumentClient>): void {
    mock
      .on(BatchWriteCommand)
      .callsFake((input: { RequestItems: Record<string, { PutRequest: { Item: Item } }[]> }) => {
        for (const requests of Object.values(input.RequestItems)) {
          for (const { PutRequest } of requests) this.put(PutRequest.Item);
        }
        return { UnprocessedItems: {} };
      });
    mock.on(GetCommand).callsFake((input: { Key: Item; ConsistentRead?: boolean }) => {
      const item = this.partitions.get(String(input.Key.pk))?.get(String(input.Key.sk));
      const units = Math.max(1, Math.ceil((item ? sizeOf(item) : 0) / READ_UNIT_BYTES));
      return { Item: item, ConsumedCapacity: { CapacityUnits: input.ConsistentRead ? units : units / 2 } };
    });
    mock.on(QueryCommand).callsFake((input: QueryInput) => this.query(input));
  }

  public put(item: Item): void {
    const pk = String(item.pk);
    let partition = this.partitions.get(pk);
    if (!partition) this.partitions.set(pk, (partition = new Map()));
    partition.set(String(item.sk), item);
    this.sortedKeys.delete(pk);
  }

  private keysOf(pk: string): string[] {
    let keys = this.sortedKeys.get(pk);
    if (!keys) this.sortedKeys.set(pk, (keys = [...(this.partitions.get(pk)?.keys() ?? [])].sort()));
    return keys;
  }

  private query(input: QueryInput): Item {
    if (input.IndexName || input.FilterExpression || input.Select) {
      throw new Error('MemoryTable answers key conditions on the table only');
    }
    const values = input.ExpressionAttributeValues;
    const [low, high] = this.keyRange(input.KeyConditionExpression, values);
    const pk = String(values[':pk']);
    const partition = this.partitions.get(pk) ?? new Map<string, Item>();
    const sorted = this.keysOf(pk);
    const forward = input.ScanIndexForward !== false;
    let keys = sorted.slice(lowerBound(sorted, low), high === undefined ? sorted.length : upperBound(sorted, high));
    if (!forward) keys.reverse();
    if (input.ExclusiveStartKey) {
      const start = String(input.ExclusiveStartKey.sk);
      keys = keys.filter((sk) => (forward ? sk > start : sk < start));
    }
    const items: Item[] = [];
    let bytes = 0;
    let lastKey: Item | undefined;
    for (const sk of keys) {
      const item = partition.get(sk) as Item;
      items.push(item);
      bytes += sizeOf(item);
      if (items.length === input.Limit || bytes >= PAGE_BYTES) {
        lastKey = { pk: item.pk, sk: item.sk };
        break;
      }
    }
    const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
    return {
      Items: items,
      Count: items.length,
      ScannedCount: items.length,
      ConsumedCapacity: { CapacityUnits: input.ConsistentRead ? units : units / 2 },
      ...(lastKey ? { LastEvaluatedKey: lastKey } : {}),
    };
  }

  /** The sort keys a key condition selects: from `low` to `high` inclusive (no `high`: to the end). */
  private keyRange(expression: string, values: Record<string, unknown>): [string, string | undefined] {
    const sortPart = expression.split(' AND ').slice(1).join(' AND ');
    if (sortPart === '') return ['', undefined];
    const begins = /^begins_with\(#sk, (:\w+)\)$/.exec(sortPart);
    if (begins) {
      const prefix = String(values[begins[1] as string]);
      return [prefix, `${prefix}\uffff`];
    }
    if (sortPart === '#sk = :sk') return [String(values[':sk']), String(values[':sk'])];
    if (sortPart === '#sk BETWEEN :from AND :to') return [String(values[':from']), String(values[':to'])];
    throw new Error(`MemoryTable does not answer ${expression}`);
  }
}

/** The first index whose key is >= `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose key is > `key`. */
function upperBound(sorted: readonly string[], key: string): number {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
