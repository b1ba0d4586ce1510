import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  ScanCommand,
  type PutCommandInput,
  type PutCommandOutput,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  IndexAttributes,
  IndexNames,
  COVERAGE_PARTITION,
  REGISTRY_PARTITION,
  accountFeedPartition,
  catalogRangePrefix,
  feedDaySortKey,
  feedDaysPartition,
  feedPartition,
  feedShard,
  parseFeedDaySortKey,
  locationPartition,
  recordPrefix,
  recordRangePrefix,
  recordUpperBoundAtSecond,
  registrySortKey,
  mapLimit,
  type IndexRecord,
  type LifecycleRecord,
  type ParameterLocation,
  type TombstoneRecord,
  type VersionRecord,
} from '@ssmhub/core';
import { RequestCounter } from './counter.js';
import {
  CatalogAttributes,
  RegistryAttributes,
  catalogKey,
  catalogRecordKey,
  fromCatalogItem,
  fromRecordItem,
  fromRegistryItem,
  registryKey,
  toRecordItem,
  type CatalogEntry,
  type Item,
  type RegistryEntry,
} from './items.js';
import {
  countedRequest,
  queryAll,
  type CapacityReport,
  queryPage,
  queryPages,
  type StartKey,
  type TableTarget,
} from './query.js';
import { RestoreRecordExistsError } from './errors.js';
import { feedDayItem } from './feedDays.js';
import {
  RESTORE_PARTITION_PREFIX,
  fromOrgRestoreItems,
  fromRestoreItems,
  isRestoreItem,
  restoreFeedPartition,
  restoreKey,
  orgRestorePartition,
  toOrgRestoreIntentItem,
  toOrgRestoreLocationItem,
  toRestoreIntentItem,
  toRestoreOutcomeItem,
  type OrgRestoreIntent,
  type OrgRestoreLocationRecord,
  type OrgRestoreRecords,
  type RestoreIntent,
  type RestoreOutcomeRecord,
  type RestoreRecord,
} from './restoreRecord.js';

/** An account and region of the organization. */
export interface Location {
  readonly account: string;
  readonly region: string;
}

/** What one finished sweep of an account and region writes into its registry entry. */
export interface SweepStatus {
  readonly account: string;
  readonly region: string;
  /** ISO time the sweep finished. */
  readonly finishedAt: string;
  /** Parameters SSM listed. */
  readonly parameters: number;
  /** Records the sweep added (versions, tombstones, labels). */
  readonly repaired: number;
  /** Set `baselineAt` (only if not set yet): the sweep covered every parameter. */
  readonly baseline: boolean;
}

/** One page of a name's records, newest first. */
export interface RecordPage {
  readonly records: IndexRecord[];
  /** Where the next (older) page starts; absent when no older record is left. */
  readonly lastKey?: StartKey;
}

/** What the hub knows of its coverage of one account and region. */
export interface LocationCoverage {
  readonly account: string;
  readonly region: string;
  /** Time of the earliest record the hub holds there. */
  readonly coverageStartAt?: string;
  /** Changes recorded as not captured there (their versions were gone before the hub read them). */
  readonly uncapturedChanges: number;
}

/** One partition of the org feed: a day and a shard. */
export interface FeedPartition {
  readonly day: string;
  readonly shard: number;
}

/**
 * Partition of the feed-days markers restores write: restore operators may only put items under
 * RESTORE#, so theirs sit apart from the hub's FEEDDAYS# markers.
 */
function restoreFeedDaysPartition(year: string): string {
  return `${RESTORE_PARTITION_PREFIX}${feedDaysPartition(year)}`;
}

/**
 * What this table object already wrote, so the markers it keeps cost about one write per day and
 * shard (and one per location's coverage start) per process, not one per record.
 */
interface WriteMemo {
  readonly feedDays: Set<string>;
  readonly coverageStart: Map<string, string>;
}

/** One entry of a change feed, with the feed's sort key (time first) to merge feeds by. */
export type FeedEntry =
  | { readonly kind: 'record'; readonly sortKey: string; readonly record: IndexRecord }
  | { readonly kind: 'restore'; readonly sortKey: string; readonly restore: RestoreRecord };

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

/** A key condition on the table's (or a feed's) partition and sort keys. */
function keyCondition(
  names: { readonly pk: string; readonly sk: string },
  pk: string,
  sort: { readonly prefix: string } | { readonly from: string; readonly to: string } | { readonly equals: string },
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
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

const TABLE_KEYS = { pk: IndexAttributes.partitionKey, sk: IndexAttributes.sortKey } as const;

/** The change feeds: a global secondary index each, with its key attributes. */
const FEEDS = {
  org: { indexName: IndexNames.feed, pk: IndexAttributes.feedPartitionKey, sk: IndexAttributes.feedSortKey },
  account: {
    indexName: IndexNames.accountFeed,
    pk: IndexAttributes.accountFeedPartitionKey,
    sk: IndexAttributes.accountFeedSortKey,
  },
} as const;

/** Sorts after every character of a key: the open end of a sort-key range. */
const RANGE_END = '~';

/**
 * Every read and write of the hub's DynamoDB index: parameter records, catalog entries, the change
 * feeds, the registry and restore records. Writes are idempotent and conditional, so duplicated,
 * reordered and concurrent deliveries converge; a failed condition is a no-op, never an error.
 * Every request is counted in `counter`.
 *
 * @example
 * const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
 * const entries = await index.catalogRange({ account: '111122223333', region: 'eu-west-1' }, '/app/');
 */
export class IndexTable {
  public readonly counter: RequestCounter;
  private readonly target: TableTarget;
  private readonly consistentRead: boolean;
  private readonly memo: WriteMemo = { feedDays: new Set(), coverageStart: new Map() };

  public constructor(options: IndexTableOptions) {
    this.counter = options.counter ?? new RequestCounter();
    this.target = { documents: options.documents, tableName: options.tableName, counter: this.counter };
    this.consistentRead = options.consistentRead ?? false;
  }

  // --- parameter records -------------------------------------------------------------------

  /** Every record of one name, in key order (by time). */
  public async nameRecords(location: ParameterLocation): Promise<IndexRecord[]> {
    const items = await this.query(
      keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: recordPrefix(location.name) }),
    );
    return items.map(fromRecordItem);
  }

  /** Records of one name from `fromSecond` on (the part of its history a batch can touch). */
  public async recordsFrom(location: ParameterLocation, fromSecond: string): Promise<IndexRecord[]> {
    const prefix = recordPrefix(location.name);
    const items = await this.query(
      keyCondition(TABLE_KEYS, this.partitionOf(location), {
        from: `${prefix}${fromSecond.slice(0, 19)}`,
        to: `${prefix}${RANGE_END}`,
      }),
    );
    return items.map(fromRecordItem);
  }

  /**
   * One page of a name's records at or before `at`'s whole second, newest first: the reverse range
   * point-in-time reads stop early in. Pass the previous page's `lastKey` for the next one.
   */
  public async recordsBefore(
    location: ParameterLocation,
    at: string,
    page: { readonly limit: number; readonly startKey?: StartKey },
  ): Promise<RecordPage> {
    const result = await queryPage(this.target, {
      ...keyCondition(TABLE_KEYS, this.partitionOf(location), {
        from: recordPrefix(location.name),
        to: recordUpperBoundAtSecond(location.name, at),
      }),
      ScanIndexForward: false,
      Limit: page.limit,
      ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
      ...this.consistency(),
    });
    return { records: result.items.map(fromRecordItem), ...(result.lastKey ? { lastKey: result.lastKey } : {}) };
  }

  /** Every record of every name in one location (tests and benchmarks compare them with SSM). */
  public async locationRecords(location: Location): Promise<IndexRecord[]> {
    const items = await this.query(
      keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: recordRangePrefix('') }),
    );
    return items.map(fromRecordItem);
  }

  /**
   * The names of one location any of whose versions had a finding. Reads every record of the
   * location (DynamoDB filters them, so only matching names come back; the read is paid in full).
   */
  public async namesWithFindings(location: Location): Promise<string[]> {
    const condition = keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: recordRangePrefix('') });
    const items = await this.query({
      ...condition,
      // attribute_exists first: the emulator fails size() of a missing attribute (DynamoDB says false).
      FilterExpression: 'attribute_exists(#findings) AND size(#findings) > :none',
      ProjectionExpression: '#name',
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#findings': 'findings', '#name': 'name' },
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':none': 0 },
    });
    return [...new Set(items.map((item) => String(item.name)))];
  }

  /**
   * The versions of one location stored before ingest analysed values (no `findings`), at most
   * `limit`: what the reconcile's analysis backfill reads and annotates.
   */
  public async unanalysedVersions(location: Location, limit: number): Promise<VersionRecord[]> {
    const condition = keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: recordRangePrefix('') });
    const found: VersionRecord[] = [];
    for await (const page of queryPages(this.target, {
      ...condition,
      FilterExpression: '#kind = :version AND attribute_not_exists(#findings)',
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#kind': 'kind', '#findings': 'findings' },
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':version': 'version' },
      ...this.consistency(),
    })) {
      for (const item of page.items) {
        found.push(fromRecordItem(item) as VersionRecord);
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  /**
   * Sets a stored version's analysis (digest and findings), once: on its record, and on its copy
   * in the name's catalog entry when the entry holds it. Never changes anything else.
   */
  public async annotateVersion(
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
    const keys = toRecordItem(record);
    await this.update(
      {
        [IndexAttributes.partitionKey]: keys[IndexAttributes.partitionKey],
        [IndexAttributes.sortKey]: keys[IndexAttributes.sortKey],
      },
      `SET ${sets.join(', ')}`,
      'attribute_exists(#pk) AND attribute_not_exists(#findings)',
      { ...names, '#pk': IndexAttributes.partitionKey },
      values,
    );
    const inCatalog = fields.map((_, i) => `#records.#key.#f${i} = :v${i}`);
    await this.update(
      catalogKey(record.account, record.region, record.name),
      `SET ${inCatalog.join(', ')}`,
      'attribute_exists(#records.#key) AND attribute_not_exists(#records.#key.#findings)',
      { ...names, '#records': CatalogAttributes.records, '#key': catalogRecordKey(record) },
      values,
    );
  }

  /**
   * What must be in the index before `records` are written (call it first; a crash after it leaves
   * only markers, which cost a wasted Query, never a missing change): the feed-days marker of each
   * record's feed partition, and the location's coverage start moved back to the earliest record.
   * Each is written at most once per process and day-shard (or earlier time), so ingest pays about
   * one extra write per day and shard per Lambda instance, not one per record.
   */
  public async prepareRecords(records: readonly IndexRecord[]): Promise<void> {
    const earliest = new Map<string, IndexRecord>();
    const feeds = new Map<string, FeedPartition>();
    for (const record of records) {
      const location = `${record.account}#${record.region}`;
      const known = earliest.get(location);
      if (!known || record.time < known.time) earliest.set(location, record);
      const feed = { day: record.time.slice(0, 10), shard: feedShard(record) };
      feeds.set(feedDaySortKey(feed.day, feed.shard), feed);
    }
    await mapLimit([...feeds.values()], 8, (feed) => this.ensureFeedDay(feedDaysPartition(feed.day.slice(0, 4)), feed));
    await mapLimit([...earliest.values()], 8, (record) =>
      this.noteCoverageStart(record.account, record.region, record.time),
    );
  }

  /** Writes a record unless it exists: the first write wins, a replay writes nothing. @returns whether it wrote */
  public async putRecord(record: IndexRecord): Promise<boolean> {
    return this.conditional('DynamoDB.PutItem', () =>
      this.put(toRecordItem(record), {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
      }),
    );
  }

  /** Notes on an indexed deletion the re-creation it came before (set once, never changed). */
  public async markPrecedes(tombstone: TombstoneRecord): Promise<void> {
    const keys = toRecordItem(tombstone);
    await this.update(
      {
        [IndexAttributes.partitionKey]: keys[IndexAttributes.partitionKey],
        [IndexAttributes.sortKey]: keys[IndexAttributes.sortKey],
      },
      'SET #precedes = :precedes',
      'attribute_exists(#pk) AND attribute_not_exists(#precedes)',
      { '#precedes': 'precedes', '#pk': IndexAttributes.partitionKey },
      { ':precedes': tombstone.precedes },
    );
  }

  // --- catalog -----------------------------------------------------------------------------

  /** The catalog entries of every name starting with `prefix` (a path, a key, or '' for all). */
  public async catalogRange(location: Location, prefix: string): Promise<CatalogEntry[]> {
    const items = await this.query(
      keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: catalogRangePrefix(prefix) }),
    );
    return items.map(fromCatalogItem);
  }

  /** Whether the catalog holds any name starting with `prefix` (one Query, at most one item). */
  public async hasCatalogUnder(location: Location, prefix: string): Promise<boolean> {
    const page = await queryPage(this.target, {
      ...keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: catalogRangePrefix(prefix) }),
      Limit: 1,
      ProjectionExpression: '#pk',
      ...this.consistency(),
    });
    return page.items.length > 0;
  }

  /** How many names one location's catalog holds (counted by DynamoDB, no item returned). */
  public async catalogSize(location: Location): Promise<number> {
    let count = 0;
    for await (const page of queryPages(this.target, {
      ...keyCondition(TABLE_KEYS, this.partitionOf(location), { prefix: catalogRangePrefix('') }),
      Select: 'COUNT',
      ...this.consistency(),
    })) {
      count += page.count;
    }
    return count;
  }

  /** One name's catalog entry; undefined when the index never recorded the name. */
  public async catalogEntry(location: ParameterLocation): Promise<CatalogEntry | undefined> {
    const item = await this.get(catalogKey(location.account, location.region, location.name));
    return item ? fromCatalogItem(item) : undefined;
  }

  /** Whether the index has ever recorded `location` (its catalog entry exists). */
  public async hasCatalogEntry(location: ParameterLocation): Promise<boolean> {
    const page = await queryPage(this.target, {
      ...this.catalogEntryCondition(location),
      ProjectionExpression: '#pk',
      ...this.consistency(),
    });
    return page.items.length > 0;
  }

  /**
   * Keeps the name's catalog entry holding the records of its latest whole second: adds records
   * to the entry when it is at `second`, replaces it when it is older, leaves it when it is newer.
   * Conditional updates only, so concurrent writers for one name cannot lose each other's records.
   */
  public async updateCatalog(
    location: ParameterLocation,
    second: string,
    records: readonly LifecycleRecord[],
    likelyAtSecond: boolean,
  ): Promise<void> {
    const key = catalogKey(location.account, location.region, location.name);
    // Start with the write that most likely succeeds: adding to the entry when the index already
    // had records in `second`, moving the entry forward otherwise.
    let tryAdd = likelyAtSecond;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const names: Record<string, string> = {
        '#second': CatalogAttributes.lastSecond,
        '#records': CatalogAttributes.records,
      };
      const values: Record<string, unknown> = { ':second': second };
      const sets = records.map((record, i) => {
        names[`#k${i}`] = catalogRecordKey(record);
        values[`:r${i}`] = record;
        return `#records.#k${i} = :r${i}`;
      });
      if (tryAdd && (await this.update(key, `SET ${sets.join(', ')}`, '#second = :second', names, values))) {
        return;
      }
      tryAdd = true;
      const replaced = await this.update(
        key,
        'SET #second = :second, #records = :records, #account = :account, #region = :region, #name = :name',
        'attribute_not_exists(#second) OR #second < :second',
        {
          '#second': CatalogAttributes.lastSecond,
          '#records': CatalogAttributes.records,
          '#account': 'account',
          '#region': 'region',
          '#name': 'name',
        },
        {
          ':second': second,
          ':records': Object.fromEntries(records.map((record) => [catalogRecordKey(record), record])),
          ':account': location.account,
          ':region': location.region,
          ':name': location.name,
        },
      );
      if (replaced) return;
      // Both conditions failed: the entry is at a later second (nothing to do), unless another
      // writer moved it to exactly `second` between our two attempts; the next round tells.
      if (!(await this.catalogAtSecond(location, second))) return;
    }
  }

  // --- change feeds ------------------------------------------------------------------------

  /**
   * The org feed's partitions that hold anything from day `sinceDay` to `untilDay` (inclusive,
   * `YYYY-MM-DD`): the feed-days markers of ingest and of restores, two Queries a year.
   */
  public async activeFeedPartitions(
    years: readonly string[],
    sinceDay: string,
    untilDay: string,
  ): Promise<FeedPartition[]> {
    const partitions = years.flatMap((year) => [feedDaysPartition(year), restoreFeedDaysPartition(year)]);
    const pages = await mapLimit(partitions, 8, (pk) =>
      this.query({
        ...keyCondition(TABLE_KEYS, pk, { from: sinceDay, to: `${untilDay}${RANGE_END}` }),
        ProjectionExpression: '#sk',
      }),
    );
    const unique = new Set(pages.flat().map((item) => String(item[IndexAttributes.sortKey])));
    return [...unique].sort().map(parseFeedDaySortKey);
  }

  /**
   * Writes the feed-days markers of every record already in the table (records written before the
   * markers existed): one Scan of the org feed index's keys, one conditional PutItem per day and
   * shard found. Run once after upgrading (the reconcile Lambda's `{ mode: 'backfill-feed-days' }`).
   * @returns how many day-shards were found
   */
  public async backfillFeedDays(): Promise<number> {
    const found = new Set<string>();
    let startKey: StartKey | undefined;
    do {
      const page = await this.counted('DynamoDB.Scan', () =>
        this.target.documents.send(
          new ScanCommand({
            TableName: this.target.tableName,
            IndexName: FEEDS.org.indexName,
            ProjectionExpression: '#pk',
            ExpressionAttributeNames: { '#pk': FEEDS.org.pk },
            ReturnConsumedCapacity: 'TOTAL',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) found.add(String(item[FEEDS.org.pk]));
      startKey = page.LastEvaluatedKey as StartKey | undefined;
    } while (startKey);
    await mapLimit([...found], 8, async (partition) => {
      const [, day = '', shard = '0'] = partition.split('#');
      await this.ensureFeedDay(feedDaysPartition(day.slice(0, 4)), { day, shard: Number(shard) });
    });
    return found.size;
  }

  /** The org feed's entries of one day and shard from `since` to `until` (inclusive, ISO). */
  public async orgFeed(day: string, shard: number, since: string, until: string): Promise<FeedEntry[]> {
    return this.feed(FEEDS.org, feedPartition(day, shard), since, until);
  }

  /** One account's feed entries of one month from `since` to `until` (inclusive, ISO). */
  public async accountFeed(account: string, month: string, since: string, until: string): Promise<FeedEntry[]> {
    return this.feed(FEEDS.account, accountFeedPartition(account, month), since, until);
  }

  // --- registry ----------------------------------------------------------------------------

  /** The registry entry of one account and region; undefined when the hub never saw it. */
  public async registryEntry(account: string, region: string): Promise<RegistryEntry | undefined> {
    const item = await this.get(registryKey(account, region));
    return item ? fromRegistryItem(item) : undefined;
  }

  /** Every registry entry (one per account and region the hub has seen or swept), or one account's. */
  public async listRegistry(account?: string): Promise<RegistryEntry[]> {
    const items = await this.query(
      account
        ? {
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :account)',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.pk, '#sk': TABLE_KEYS.sk },
            ExpressionAttributeValues: { ':pk': REGISTRY_PARTITION, ':account': `${account}#` },
          }
        : {
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.pk },
            ExpressionAttributeValues: { ':pk': REGISTRY_PARTITION },
          },
    );
    return items.map(fromRegistryItem);
  }

  /** Notes the newest event seen for an account and region (status and onboarding read it). */
  public async touchRegistry(account: string, region: string, eventTime: string): Promise<void> {
    await this.update(
      registryKey(account, region),
      'SET #last = :time, #account = :account, #region = :region',
      'attribute_not_exists(#last) OR #last < :time',
      { '#last': RegistryAttributes.lastEventAt, '#account': 'account', '#region': 'region' },
      { ':time': eventTime, ':account': account, ':region': region },
    );
  }

  /**
   * Records a finished sweep. Never moves `lastSweepAt` backwards (two sweeps of one account and
   * region may overlap: the later one's figures are the newer ones), never touches `lastEventAt`
   * (ingest owns it), and sets `baselineAt` once.
   */
  public async recordSweep(status: SweepStatus): Promise<void> {
    const sets = [
      '#account = :account',
      '#region = :region',
      '#lastSweepAt = :at',
      '#parameters = :parameters',
      '#repaired = :repaired',
    ];
    const names: Record<string, string> = {
      '#account': 'account',
      '#region': 'region',
      '#lastSweepAt': RegistryAttributes.lastSweepAt,
      '#parameters': RegistryAttributes.lastSweepParameters,
      '#repaired': RegistryAttributes.lastSweepRepaired,
    };
    if (status.baseline) {
      sets.push('#baselineAt = if_not_exists(#baselineAt, :at)');
      names['#baselineAt'] = RegistryAttributes.baselineAt;
    }
    await this.update(
      registryKey(status.account, status.region),
      `SET ${sets.join(', ')}`,
      'attribute_not_exists(#lastSweepAt) OR #lastSweepAt < :at',
      names,
      {
        ':account': status.account,
        ':region': status.region,
        ':at': status.finishedAt,
        ':parameters': status.parameters,
        ':repaired': status.repaired,
      },
    );
  }

  /** Notes that every version of a location stored before ingest analysed values has been analysed (set once). */
  public async markAnalysisBackfilled(account: string, region: string, at: string): Promise<void> {
    await this.update(
      registryKey(account, region),
      'SET #at = :at',
      'attribute_not_exists(#at)',
      { '#at': RegistryAttributes.analysisBackfilledAt },
      { ':at': at },
    );
  }

  // --- restore records ---------------------------------------------------------------------

  /**
   * Writes a restore's intent, before its first SSM write (and the feed-days marker that lists it).
   * Append-only: throws RestoreRecordExistsError when the item exists, never overwrites it.
   */
  public async putRestoreIntent(intent: RestoreIntent): Promise<void> {
    await this.ensureFeedDay(restoreFeedDaysPartition(intent.time.slice(0, 4)), restoreFeedPartition(intent));
    await this.putOnce(toRestoreIntentItem(intent), `restore ${intent.restoreId}'s intent`);
  }

  /** Writes a restore's outcome, after its last SSM write. Append-only, as the intent. */
  public async putRestoreOutcome(outcome: RestoreOutcomeRecord): Promise<void> {
    await this.putOnce(toRestoreOutcomeItem(outcome), `restore ${outcome.restoreId}'s outcome`);
  }

  /** Writes an organization-wide restore's intent, before its first location is applied (append-only). */
  public async putOrgRestoreIntent(intent: OrgRestoreIntent): Promise<void> {
    await this.putOnce(toOrgRestoreIntentItem(intent), `organization-wide restore ${intent.restoreId}'s intent`);
  }

  /** Writes how one attempt at one location of an organization-wide restore ended (append-only). */
  public async putOrgRestoreLocation(record: OrgRestoreLocationRecord): Promise<void> {
    await this.putOnce(
      toOrgRestoreLocationItem(record),
      `organization-wide restore ${record.restoreId}'s outcome in ${record.account}/${record.region} at ${record.time}`,
    );
  }

  /** An organization-wide restore's intent and location outcomes (one paged Query). */
  public async readOrgRestore(restoreId: string): Promise<OrgRestoreRecords> {
    const items = await this.query({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
      ExpressionAttributeValues: { ':pk': orgRestorePartition(restoreId) },
    });
    return fromOrgRestoreItems(items);
  }

  // --- coverage ----------------------------------------------------------------------------

  /**
   * Moves an account and region's coverage start (the time of the earliest record the hub holds
   * there) back to `time` when it is earlier; skipped when this process already wrote an earlier one.
   */
  public async noteCoverageStart(account: string, region: string, time: string): Promise<void> {
    const location = `${account}#${region}`;
    const known = this.memo.coverageStart.get(location);
    if (known !== undefined && known <= time) return;
    await this.update(
      coverageKey(account, region),
      'SET #start = :time, #account = :account, #region = :region',
      'attribute_not_exists(#start) OR #start > :time',
      { '#start': COVERAGE_START, '#account': 'account', '#region': 'region' },
      { ':time': time, ':account': account, ':region': region },
    );
    this.memo.coverageStart.set(location, time);
  }

  /**
   * Counts changes recorded as not captured in an account and region (call once per record that
   * putRecord wrote: a replay that wrote nothing adds nothing). Shown by `status`.
   */
  public async countUncaptured(account: string, region: string, changes: number): Promise<void> {
    await this.update(
      coverageKey(account, region),
      'ADD #uncaptured :n SET #account = :account, #region = :region',
      undefined,
      { '#uncaptured': UNCAPTURED_CHANGES, '#account': 'account', '#region': 'region' },
      { ':n': changes, ':account': account, ':region': region },
    );
  }

  /** Every account and region's coverage: its start and the changes recorded as not captured. */
  public async listCoverage(): Promise<LocationCoverage[]> {
    const items = await this.query({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.pk },
      ExpressionAttributeValues: { ':pk': COVERAGE_PARTITION },
    });
    return items.map((item) => {
      const [account = '', region = ''] = String(item[IndexAttributes.sortKey]).split('#');
      const start = item[COVERAGE_START];
      const uncaptured = item[UNCAPTURED_CHANGES];
      return {
        account,
        region,
        ...(typeof start === 'string' ? { coverageStartAt: start } : {}),
        uncapturedChanges: typeof uncaptured === 'number' ? uncaptured : 0,
      };
    });
  }

  /**
   * The time of the earliest record the hub holds for an account and region (from which restore
   * may plan without --force); undefined when none was recorded (records older than the marker).
   */
  public async coverageStart(account: string, region: string): Promise<string | undefined> {
    const item = await this.get(coverageKey(account, region));
    const start = item?.[COVERAGE_START];
    return typeof start === 'string' ? start : undefined;
  }

  // --- plumbing ----------------------------------------------------------------------------

  private partitionOf(location: Location): string {
    return locationPartition(location.account, location.region);
  }

  /** Puts a feed-days marker unless this process already did (a failed condition: it exists). */
  private async ensureFeedDay(partition: string, feed: FeedPartition): Promise<void> {
    const item = feedDayItem(partition, feed);
    const key = `${partition}#${String(item[IndexAttributes.sortKey])}`;
    if (this.memo.feedDays.has(key)) return;
    await this.conditional('DynamoDB.PutItem', () =>
      this.put(item, {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
      }),
    );
    this.memo.feedDays.add(key);
  }

  /** Puts an append-only item: throws RestoreRecordExistsError when one is at its key. */
  private async putOnce(item: Item, what: string): Promise<void> {
    const wrote = await this.conditional('DynamoDB.PutItem', () =>
      this.put(item, {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
      }),
    );
    if (!wrote) throw new RestoreRecordExistsError(`${what} is already recorded: restore records are append-only`);
  }

  private consistency(): { ConsistentRead?: true } {
    return this.consistentRead ? { ConsistentRead: true } : {};
  }

  private query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    return queryAll(this.target, { ...input, ...this.consistency() });
  }

  private async feed(
    { indexName, ...keys }: (typeof FEEDS)[keyof typeof FEEDS],
    partition: string,
    since: string,
    until: string,
  ): Promise<FeedEntry[]> {
    const items = await queryAll(this.target, {
      IndexName: indexName,
      ...keyCondition(keys, partition, { from: since, to: `${until}${RANGE_END}` }),
    });
    return mapLimit(items, 8, async (item): Promise<FeedEntry> => {
      const sortKey = String(item[keys.sk]);
      if (!isRestoreItem(item)) return { kind: 'record', sortKey, record: fromRecordItem(item) };
      // Restores are rare: one GetItem each finds the outcome, or says the restore never finished.
      const intent = fromRestoreItems(item);
      const outcome = await this.get(restoreKey(intent, intent.time, 'outcome'));
      return { kind: 'restore', sortKey, restore: fromRestoreItems(item, outcome) };
    });
  }

  private put(
    item: Item,
    condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames'> = {},
  ): Promise<PutCommandOutput> {
    return this.target.documents.send(
      new PutCommand({ TableName: this.target.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL', ...condition }),
    );
  }

  private async get(key: Item): Promise<Item | undefined> {
    const response = await this.counted(
      'DynamoDB.GetItem',
      () =>
        this.target.documents.send(
          new GetCommand({
            TableName: this.target.tableName,
            Key: key,
            ReturnConsumedCapacity: 'TOTAL',
            ...this.consistency(),
          }),
        ),
      (r) => (r?.Item ? 1 : 0),
    );
    return response?.Item as Item | undefined;
  }

  private catalogEntryCondition(location: ParameterLocation): ReturnType<typeof keyCondition> {
    const key = catalogKey(location.account, location.region, location.name);
    return keyCondition(TABLE_KEYS, String(key[IndexAttributes.partitionKey]), {
      equals: String(key[IndexAttributes.sortKey]),
    });
  }

  private async catalogAtSecond(location: ParameterLocation, second: string): Promise<boolean> {
    const condition = this.catalogEntryCondition(location);
    const page = await queryPage(this.target, {
      ...condition,
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#second': CatalogAttributes.lastSecond },
      ProjectionExpression: '#second',
      ConsistentRead: true,
    });
    return page.items[0]?.[CatalogAttributes.lastSecond] === second;
  }

  /** A conditional update (or, without `condition`, an unconditional one). @returns false when the condition failed */
  private update(
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

  private counted<R extends CapacityReport>(
    call: string,
    send: () => Promise<R>,
    itemsOf?: (response: R) => number,
  ): Promise<R> {
    return countedRequest(this.counter, call, send, itemsOf);
  }
}

const COVERAGE_START = 'coverageStartAt';
const UNCAPTURED_CHANGES = 'uncapturedChanges';

/** The key of an account and region's coverage start: a partition of its own, apart from the registry. */
function coverageKey(account: string, region: string): Item {
  return {
    [IndexAttributes.partitionKey]: COVERAGE_PARTITION,
    [IndexAttributes.sortKey]: registrySortKey(account, region),
  };
}

/** Whether a write failed only because its condition did not hold. */
export function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
