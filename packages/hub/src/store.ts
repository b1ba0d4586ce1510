import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  IndexAttributes,
  CatalogAttributes,
  catalogKey,
  catalogRecordKey,
  fromRecordItem,
  locationPartition,
  recordPrefix,
  registryKey,
  toRecordItem,
  type IndexRecord,
  type LifecycleRecord,
  type ParameterLocation,
  type TombstoneRecord,
} from '@ssmhub/core';

/** What is stored in S3 for one version: SSM's history entry, value included, plus where it lives. */
export interface VersionObject {
  readonly account: string;
  readonly region: string;
  readonly Name: string;
  readonly Value: string;
  readonly Version: number;
  readonly LastModifiedDate: string;
  readonly [field: string]: unknown;
}

/**
 * The hub's writes: version objects in S3 and records in the index. Every write is idempotent and
 * conditional, so duplicated, reordered and concurrent deliveries converge.
 */
export class VersionStore {
  public constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly s3: S3Client,
    private readonly tableName: string,
    private readonly bucketName: string,
    private readonly kmsKeyId?: string,
  ) {}

  /** Records of one name from `fromSecond` on (the part of its history a batch can touch). */
  public async recordsFrom(location: ParameterLocation, fromSecond: string): Promise<IndexRecord[]> {
    const prefix = recordPrefix(location.name);
    const records: IndexRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey, '#sk': IndexAttributes.sortKey },
          ExpressionAttributeValues: {
            ':pk': locationPartition(location.account, location.region),
            ':from': `${prefix}${fromSecond.slice(0, 19)}`,
            ':to': `${prefix}~`,
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) records.push(fromRecordItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  /**
   * Writes one version's object. The key is derived from the version, so a second write carries
   * the same bytes; `If-None-Match` makes S3 refuse it instead of storing a duplicate.
   */
  public async putVersionObject(objectKey: string, body: VersionObject): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucketName,
          Key: objectKey,
          Body: JSON.stringify(body),
          ContentType: 'application/json',
          ServerSideEncryption: 'aws:kms',
          ...(this.kmsKeyId ? { SSEKMSKeyId: this.kmsKeyId } : {}),
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      if (isPreconditionFailed(error)) return;
      throw error;
    }
  }

  /** Writes a record unless it exists: the first write wins, a replay writes nothing. */
  public async putRecord(record: IndexRecord): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toRecordItem(record),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || isConditionalFailure(error)) return false;
      throw error;
    }
  }

  /** Notes on an indexed deletion the re-creation it came before (set once, never changed). */
  public async markPrecedes(tombstone: TombstoneRecord): Promise<void> {
    const keys = toRecordItem(tombstone);
    await this.conditionalUpdate(
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
    const base = { account: location.account, region: location.region, name: location.name };
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
      if (tryAdd && (await this.conditionalUpdate(key, `SET ${sets.join(', ')}`, '#second = :second', names, values))) {
        return;
      }
      tryAdd = true;
      const replaced = await this.conditionalUpdate(
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
          ':account': base.account,
          ':region': base.region,
          ':name': base.name,
        },
      );
      if (replaced) return;
      // Both conditions failed: the entry is at a later second (nothing to do), unless another
      // writer moved it to exactly `second` between our two attempts; the next round tells.
      if (!(await this.catalogAtSecond(location, second))) return;
    }
  }

  /** Whether the index has ever recorded `location` (its catalog entry exists). */
  public async hasCatalogEntry(location: ParameterLocation): Promise<boolean> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey, '#sk': IndexAttributes.sortKey },
        ExpressionAttributeValues: catalogQueryValues(location),
        ProjectionExpression: '#pk',
        ConsistentRead: true,
      }),
    );
    return (page.Items?.length ?? 0) > 0;
  }

  /** Notes the newest event seen for an account and region (status and onboarding read it). */
  public async touchRegistry(account: string, region: string, eventTime: string): Promise<void> {
    await this.conditionalUpdate(
      registryKey(account, region),
      'SET #last = :time, #account = :account, #region = :region',
      'attribute_not_exists(#last) OR #last < :time',
      { '#last': 'lastEventAt', '#account': 'account', '#region': 'region' },
      { ':time': eventTime, ':account': account, ':region': region },
    );
  }

  private async catalogAtSecond(location: ParameterLocation, second: string): Promise<boolean> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: {
          '#pk': IndexAttributes.partitionKey,
          '#sk': IndexAttributes.sortKey,
          '#second': CatalogAttributes.lastSecond,
        },
        ExpressionAttributeValues: catalogQueryValues(location),
        ProjectionExpression: '#second',
        ConsistentRead: true,
      }),
    );
    return page.Items?.[0]?.[CatalogAttributes.lastSecond] === second;
  }

  private async conditionalUpdate(
    key: Record<string, unknown>,
    update: string,
    condition: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || isConditionalFailure(error)) return false;
      throw error;
    }
  }
}

function catalogQueryValues(location: ParameterLocation): Record<string, unknown> {
  const key = catalogKey(location.account, location.region, location.name);
  return { ':pk': key[IndexAttributes.partitionKey], ':sk': key[IndexAttributes.sortKey] };
}

function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function isPreconditionFailed(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'PreconditionFailed' || status === 412;
}
