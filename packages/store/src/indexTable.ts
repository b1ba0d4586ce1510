import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ParameterLocation, ParameterState, PresenceRecord, Selector } from '@ssmhub/core';
import { RequestCounter } from './counter.js';
import { CatalogTable } from './index/catalog.js';
import { FeedDays } from './index/feedDays.js';
import { FeedTable } from './index/feed.js';
import { stateAt, stateOf } from './index/pointInTime.js';
import { RecordTable } from './index/records.js';
import { RegistryTable } from './index/registry.js';
import { RestoreLogTable } from './index/restoreLog.js';
import { TableAccess } from './index/table.js';
import type { Index, Location } from './index/types.js';

/**
 * The DynamoDB actions each use of the index needs on its table and indexes, for the stacks to
 * grant (so a policy and the calls it allows cannot drift apart). The KMS side is the key
 * policy's: the table is encrypted under the hub key, used through DynamoDB.
 */
export const IndexActions = {
  /**
   * Every read of every part: GetItem, Query on the table and its indexes, and BatchGetItem of the
   * records a moment's catalog names (stateAt).
   */
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
  /** The hub's writers (records, catalog, registry, feed days): they read ranges and write conditionally. */
  write: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** Recording a restore (intent, outcome, an organization-wide run): a PutItem of a new item, nothing else. */
  recordRestores: ['dynamodb:PutItem'],
  /** The one-off backfill of the feed-days markers: a Scan of the org feed index's keys. */
  backfillFeedDays: ['dynamodb:Scan'],
} as const;

export interface IndexTableOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Where every request is counted. @default - a counter of the table's own */
  readonly counter?: RequestCounter;
  /**
   * Read with strong consistency (the hub's writers compare with what they just wrote).
   * @default false
   */
  readonly consistentRead?: boolean;
}

/**
 * The hub's index in one DynamoDB table, in parts: parameter records, the catalog, the change
 * feeds, the registry (with coverage) and the restore log. Writes are idempotent and conditional,
 * so duplicated, reordered and concurrent deliveries converge; a failed condition is a no-op,
 * never an error. Every request is counted in `counter`.
 *
 * @example
 * const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
 * const [now] = await index.stateAt({ account: '111122223333', region: 'eu-west-1' }, selector, [at]);
 * const entries = await index.catalog.range({ account: '111122223333', region: 'eu-west-1' }, '/app/');
 */
export class IndexTable implements Index {
  public readonly counter: RequestCounter;
  public readonly records: RecordTable;
  public readonly catalog: CatalogTable;
  public readonly feed: FeedTable;
  public readonly registry: RegistryTable;
  public readonly restores: RestoreLogTable;

  public constructor(options: IndexTableOptions) {
    this.counter = options.counter ?? new RequestCounter();
    const table = new TableAccess({
      documents: options.documents,
      tableName: options.tableName,
      counter: this.counter,
      consistentRead: options.consistentRead ?? false,
    });
    // One set of feed-days markers per table object: records and restores both write them.
    const feedDays = new FeedDays(table);
    this.registry = new RegistryTable(table);
    this.records = new RecordTable(table, feedDays, this.registry);
    this.catalog = new CatalogTable(table);
    this.feed = new FeedTable(table, feedDays);
    this.restores = new RestoreLogTable(table, feedDays);
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
