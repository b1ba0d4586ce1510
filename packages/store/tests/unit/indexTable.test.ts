import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { versionRecord } from '@ssmhub/core/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCounter } from '../../src/counter.js';
import { IndexTable } from '../../src/indexTable.js';
import { toRecordItem } from '../../src/items.js';
import {
  ORG_RESTORE_KIND,
  ORG_RESTORE_LOCATION_KIND,
  RESTORE_KIND,
  RESTORE_OUTCOME_KIND,
  type OrgRestoreIntent,
} from '../../src/restoreRecord.js';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(documents);
afterEach(() => ddb.reset());

const location = { account: '111122223333', region: 'eu-west-1' };

describe('IndexTable', () => {
  it('follows LastEvaluatedKey through every page, an empty one included, and counts each request', async () => {
    const first = versionRecord('/app/a', 1, '2026-01-01T00:00:01.000Z');
    const second = versionRecord('/app/a', 2, '2026-01-01T00:00:02.000Z');
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [toRecordItem(first)],
        LastEvaluatedKey: { k: 1 },
        ConsumedCapacity: { CapacityUnits: 0.5 },
      })
      .resolvesOnce({ Items: [], LastEvaluatedKey: { k: 2 }, ConsumedCapacity: { CapacityUnits: 0.5 } })
      .resolvesOnce({ Items: [toRecordItem(second)], ConsumedCapacity: { CapacityUnits: 1 } });
    const counter = new RequestCounter();
    const index = new IndexTable({ documents, tableName: 'ssmhub-index', counter });

    const records = await index.records.ofName({ ...location, name: '/app/a' });

    expect(records).toEqual([first, second]);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey);
    expect(calls).toEqual([undefined, { k: 1 }, { k: 2 }]);
    expect(counter.snapshot()).toEqual({
      dynamoRequests: 3,
      consumedCapacity: 2,
      itemsRead: 2,
      s3Requests: 0,
      ssmRequests: 0,
    });
    expect(counter.calls).toEqual({ 'DynamoDB.Query': 3 });
  });

  it('treats a failed condition as a write that did not happen, and counts it', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }));
    const index = new IndexTable({ documents, tableName: 'ssmhub-index' });

    expect(await index.records.put(versionRecord('/app/a', 1, '2026-01-01T00:00:01.000Z'))).toBe(false);
    await expect(
      index.registry.recordSweep({
        ...location,
        finishedAt: '2026-01-01T00:00:00.000Z',
        parameters: 1,
        repaired: 0,
        baseline: true,
      }),
    ).resolves.toBeUndefined();
    expect(index.counter.calls).toEqual({ 'DynamoDB.PutItem': 1, 'DynamoDB.UpdateItem': 1 });
  });

  it('passes on any other write error', async () => {
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
    await expect(index.records.put(versionRecord('/app/a', 1, '2026-01-01T00:00:01.000Z'))).rejects.toThrow(
      'slow down',
    );
  });

  it('reads a name newest first from the moment, one bounded page at a time', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: { k: 1 } });
    const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
    const page = await index.records.before({ ...location, name: '/app/a' }, '2026-01-01T00:00:05.123Z', { limit: 4 });
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ ScanIndexForward: false, Limit: 4 });
    expect(input?.ExpressionAttributeValues?.[':to']).toBe('R#/app/a!2026-01-01T00:00:05~');
    expect(page.lastKey).toEqual({ k: 1 });
  });

  it('keeps an organization-wide restore in its own RESTORE# partition, append-only, and reads it back', async () => {
    const stored: Record<string, unknown>[] = [];
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
      expect(input.ConditionExpression).toBe('attribute_not_exists(#pk)');
      stored.push(input.Item);
      return {};
    });
    const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
    const restoreId = '6f1c0d5e-1111-4222-8333-944455556666';
    await index.restores.putOrgIntent({
      kind: ORG_RESTORE_KIND,
      restoreId,
      name: '/prod/',
      recursive: true,
      at: '2026-11-21T09:00:00.000Z',
      time: '2026-11-22T07:00:00.000Z',
      who: 'arn:aws:sts::111122223333:assumed-role/Ops/alice',
      locations: 2,
    });
    const counts = { put: 1, deleted: 0, unchanged: 2, refused: 0, failed: 0 };
    for (const status of ['failed', 'succeeded'] as const) {
      await index.restores.putOrgLocation({
        kind: ORG_RESTORE_LOCATION_KIND,
        restoreId,
        ...location,
        time: status === 'failed' ? '2026-11-22T07:00:01.000Z' : '2026-11-22T07:05:00.000Z',
        status,
        counts,
      });
    }
    expect(stored.map((item) => [item.pk, item.sk])).toEqual([
      [`RESTORE#ORG#${restoreId}`, 'intent'],
      [`RESTORE#ORG#${restoreId}`, 'LOC#111122223333#eu-west-1#2026-11-22T07:00:01.000Z'],
      [`RESTORE#ORG#${restoreId}`, 'LOC#111122223333#eu-west-1#2026-11-22T07:05:00.000Z'],
    ]);

    ddb.on(QueryCommand).resolves({ Items: stored });
    const read = await index.restores.readOrg(restoreId);
    expect(read.intent).toMatchObject({ restoreId, name: '/prod/', locations: 2 });
    expect(read.intent).not.toHaveProperty('pk');
    expect(read.locations.map((l) => l.status)).toEqual(['failed', 'succeeded']);

    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    await expect(
      index.restores.putOrgIntent({ ...(read.intent as OrgRestoreIntent), time: '2026-11-22T08:00:00.000Z' }),
    ).rejects.toThrow(/append-only/);
  });

  it("keeps a restore's intent and outcome under RESTORE#, created only where none exists, and lists the intent in the feed", async () => {
    const puts: { Item: Record<string, unknown>; ConditionExpression?: string }[] = [];
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
      puts.push(input);
      return {};
    });
    const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
    const restore = { restoreId: 'r-1', ...location };
    await index.restores.putIntent({
      kind: RESTORE_KIND,
      ...restore,
      name: '/app/',
      recursive: true,
      time: '2026-11-22T07:00:00.000Z',
      at: '2026-11-21T09:00:00.000Z',
      sourceAccount: location.account,
      sourceRegion: location.region,
      who: 'arn:aws:iam::111122223333:user/ops',
      plan: { put: 1, delete: 0, unchanged: 0, refused: 0 },
    });
    await index.restores.putOutcome({
      kind: RESTORE_OUTCOME_KIND,
      ...restore,
      startedAt: '2026-11-22T07:00:00.000Z',
      time: '2026-11-22T07:00:09.000Z',
      status: 'succeeded',
      counts: { put: 1, deleted: 0, unchanged: 0, refused: 0, failed: 0 },
      names: [],
    });
    expect(puts.map((p) => String(p.Item.pk))).toEqual([
      'RESTORE#FEEDDAYS#2026',
      `RESTORE#${location.account}#${location.region}`,
      `RESTORE#${location.account}#${location.region}`,
    ]);
    expect(puts.every((p) => p.ConditionExpression === 'attribute_not_exists(#pk)')).toBe(true);
    expect(puts[1]?.Item).toMatchObject({ gsi1pk: expect.stringMatching(/^FEED#2026-11-22#\d{2}$/) });
  });

  describe('feed.changes plans its reads', () => {
    const range = { since: '2026-11-21T00:00:00.000Z', until: '2026-11-22T23:59:59.999Z' };
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(111100000000 + i));

    it("reads each account's own feed, a Query a month, while that is fewer Queries than FEED_SHARDS a day", async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
      await index.feed.changes({ ...range, accounts: accounts(31) });
      const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
      expect(inputs).toHaveLength(31);
      expect(inputs.every((i) => i.IndexName === 'account-feed')).toBe(true);
      expect(inputs[0]?.ExpressionAttributeValues).toMatchObject({ ':pk': 'ACCT#111100000000#2026-11' });
    });

    it("reads the organization's feed where its feed-days markers say, for every account or too many", async () => {
      ddb
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'FEEDDAYS#2026' } }, false)
        .resolves({ Items: [{ sk: '2026-11-21#03' }, { sk: '2026-11-22#15' }] })
        .on(QueryCommand, { IndexName: 'feed' }, false)
        .resolves({ Items: [] });
      for (const query of [range, { ...range, accounts: accounts(32) }]) {
        ddb.resetHistory();
        const index = new IndexTable({ documents, tableName: 'ssmhub-index' });
        await index.feed.changes(query);
        const read = ddb
          .commandCalls(QueryCommand)
          .map((c) => c.args[0].input)
          .map((i) => `${i.IndexName ?? 'table'} ${String(i.ExpressionAttributeValues?.[':pk'])}`);
        expect(read.sort()).toEqual([
          'feed FEED#2026-11-21#03',
          'feed FEED#2026-11-22#15',
          'table FEEDDAYS#2026',
          'table RESTORE#FEEDDAYS#2026',
        ]);
      }
    });
  });
});
