import { GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpRequest } from '@smithy/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { createIngestHandler } from '@ssmhub/hub';
import { hubConfigFor, SandboxRoleSessions } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { orderTimeline, stateAt, type LifecycleRecord, type VersionRecord } from '@ssmhub/core';
import type { SQSEvent } from 'aws-lambda';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureOutput, indexRecords, scanTable, versionObject } from '../helpers/index.js';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: ['us-east-1', 'eu-west-1'] });
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(async () => {
  await sandbox.reset();
});

const lifecycle = (records: readonly unknown[]) =>
  (records as LifecycleRecord[]).filter((r) => r.kind === 'version' || r.kind === 'tombstone');

async function queueDepth(url: string): Promise<number> {
  const attributes = await sandbox.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

describe('ingest through the sandbox pipeline', () => {
  it('follows create, update, delete and re-create in two accounts and two regions', async () => {
    const { memberAccounts, regions, table } = sandbox.info;
    for (const account of memberAccounts) {
      for (const region of regions) {
        await sandbox.store.put(account, region, { name: '/app/db/url', value: `first-${account}-${region}` });
        await sandbox.store.put(account, region, { name: '/app/db/url', value: 'second', overwrite: true });
      }
    }
    await sandbox.pump();
    for (const account of memberAccounts) {
      for (const region of regions) await sandbox.store.delete(account, region, '/app/db/url');
    }
    await sandbox.pump();
    for (const account of memberAccounts) {
      for (const region of regions) await sandbox.store.put(account, region, { name: '/app/db/url', value: 'reborn' });
    }
    const report = await sandbox.pump();
    expect(report.deadLettered).toBe(0);

    for (const account of memberAccounts) {
      for (const region of regions) {
        // In the order SSM went through them (a deletion's whole-second time can sort before a
        // version written earlier in the same second).
        const records = orderTimeline(lifecycle(await indexRecords(sandbox.clients.ddb, table, account, region))).map(
          (entry) => entry.record,
        );
        expect(records.map((r) => (r.kind === 'version' ? `v${r.version}` : 'deleted'))).toEqual([
          'v1',
          'v2',
          'deleted',
          'v1',
        ]);
        expect(records.every((r) => r.account === account && r.region === region)).toBe(true);
        const [first, second, tombstone, reborn] = records as [
          VersionRecord,
          VersionRecord,
          LifecycleRecord,
          VersionRecord,
        ];
        // Each life at every moment: before, at and after each change.
        expect(stateAt(records, new Date(Date.parse(first.time) - 1).toISOString()).exists).toBe(false);
        expect(stateAt(records, first.time)).toMatchObject({ exists: true, record: { version: 1, time: first.time } });
        expect(stateAt(records, second.time)).toMatchObject({ exists: true, record: { version: 2 } });
        expect(Date.parse(tombstone.time)).toBeLessThanOrEqual(Date.parse(reborn.time));
        expect(stateAt(records, reborn.time)).toMatchObject({
          exists: true,
          record: { version: 1, time: reborn.time },
        });
        const object = await versionObject(sandbox.clients.s3, sandbox.info.bucket, first.objectKey);
        expect(object.Value).toBe(`first-${account}-${region}`);
      }
    }
  });

  it('stores five updates made before any event is processed as five versions with SSM times', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    const region = 'eu-west-1';
    for (let i = 1; i <= 5; i += 1) {
      await sandbox.store.put(account, region, { name: '/burst/param', value: `value-${i}`, overwrite: i > 1 });
    }
    await sandbox.pump();
    const members = new SandboxRoleSessions(sandbox.info.endpoint);
    const ssm = new SSMClient({ endpoint: sandbox.info.endpoint, region, credentials: () => members.get(account) });
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/burst/param' }));
    ssm.destroy();
    const records = (await indexRecords(sandbox.clients.ddb, sandbox.info.table, account, region)) as VersionRecord[];
    expect(records.map((r) => [r.version, r.time])).toEqual(
      (history.Parameters ?? []).map((p) => [p.Version, p.LastModifiedDate?.toISOString()]),
    );
    expect(records).toHaveLength(5);
  });

  it('gives the same index for a batch delivered once, twice, and in reverse order', async () => {
    const [account, other] = sandbox.info.memberAccounts as [string, string];
    await sandbox.store.put(account, 'us-east-1', { name: '/order/a', value: 'a1' });
    await sandbox.store.put(account, 'us-east-1', { name: '/order/a', value: 'a2', overwrite: true });
    await sandbox.store.put(other, 'eu-west-1', { name: '/order/b', value: 'b1', type: 'SecureString' });
    await sandbox.store.put(account, 'us-east-1', { name: '/order/c', value: 'c1' });
    await sandbox.store.delete(account, 'us-east-1', '/order/c');
    await sandbox.store.put(account, 'us-east-1', { name: 'toplevel', value: 't1' });
    // Stage 1 only: the events reach the hub queue; this test plays the Lambda event source.
    await sandbox.pump(async () => ({ batchItemFailures: [] }), { maxRounds: 1, maxBatchesPerRound: 0 });
    const batch = await receiveAll(sandbox.info.queueUrl);
    expect(batch.Records.length).toBe(6);

    const handler = createIngestHandler({ ...hubConfigFor(sandbox.info), logger: silentLogger() });
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    const once = await scanTable(sandbox.clients.ddb, sandbox.info.table);
    const writesAfterOnce = writeCalls(handler.calls);
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect(writeCalls(handler.calls)).toBe(writesAfterOnce);
    expect(await scanTable(sandbox.clients.ddb, sandbox.info.table)).toEqual(once);

    for (const item of once) {
      await sandbox.clients.ddb.send(
        new DeleteCommand({ TableName: sandbox.info.table, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    const reversed = { Records: [...batch.Records].reverse() };
    expect(
      (await createIngestHandler({ ...hubConfigFor(sandbox.info), logger: silentLogger() })(reversed))
        .batchItemFailures,
    ).toEqual([]);
    expect(withoutStatus(await scanTable(sandbox.clients.ddb, sandbox.info.table))).toEqual(withoutStatus(once));
  });

  it('stores a SecureString exactly and never logs it', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    const secret = 'p@ss,word=✓ "quoted" \\ end';
    // Its own logger at the most verbose level, whatever POWERTOOLS_LOG_LEVEL says: the name must
    // be logged and the value must not be, at any level.
    const handler = createIngestHandler({ ...hubConfigFor(sandbox.info), logger: verboseLogger() });
    const output = captureOutput();
    try {
      await sandbox.store.put(account, 'us-east-1', { name: '/secure/token', value: secret, type: 'SecureString' });
      await sandbox.pump(handler);
    } finally {
      output.restore();
    }
    const [record] = (await indexRecords(
      sandbox.clients.ddb,
      sandbox.info.table,
      account,
      'us-east-1',
    )) as VersionRecord[];
    expect(record).toMatchObject({ type: 'SecureString', version: 1 });
    expect((await versionObject(sandbox.clients.s3, sandbox.info.bucket, record!.objectKey)).Value).toBe(secret);
    expect(output.lines()).toContain('/secure/token');
    expect(output.lines()).not.toContain(secret);
    expect(JSON.stringify(await scanTable(sandbox.clients.ddb, sandbox.info.table))).not.toContain(secret);
  });

  it('loses nothing when a write fails in the middle of a batch', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    for (let i = 1; i <= 5; i += 1) {
      await sandbox.store.put(account, 'us-east-1', { name: `/batch/p${i}`, value: `v${i}` });
    }
    // S3 answers 500 to every write of /batch/p3 until the handler has given up on it 2 times.
    let failures = 0;
    const inner = new NodeHttpHandler();
    const faulty = {
      handle: async (request: HttpRequest) => {
        if (request.method === 'PUT' && request.path.includes('%252Fbatch%252Fp3') && failures < 4) {
          failures += 1;
          const body = Readable.from(['<Error><Code>InternalError</Code><Message>injected</Message></Error>']);
          return { response: { statusCode: 500, headers: {}, body } };
        }
        return inner.handle(request as Parameters<NodeHttpHandler['handle']>[0]);
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
      destroy: () => inner.destroy(),
    };
    const handler = createIngestHandler({
      ...hubConfigFor(sandbox.info),
      requestHandler: faulty,
      maxAttempts: 2,
      logger: silentLogger(),
    });
    const report = await sandbox.pump(handler);
    expect(failures).toBe(4);
    expect(report.failedDeliveries).toBe(2);
    expect(report.deadLettered).toBe(0);
    const names = (await indexRecords(sandbox.clients.ddb, sandbox.info.table, account, 'us-east-1')).map(
      (r) => r.name,
    );
    expect(names.sort()).toEqual(['/batch/p1', '/batch/p2', '/batch/p3', '/batch/p4', '/batch/p5']);
    expect(await queueDepth(sandbox.info.queueUrl)).toBe(0);
    expect(await queueDepth(sandbox.info.dlqUrl)).toBe(0);
  });
});

function silentLogger(): Logger {
  return new Logger({ logLevel: 'SILENT' });
}

function verboseLogger(): Logger {
  return new Logger({ logLevel: 'DEBUG' });
}

function writeCalls(metrics: Record<string, number>): number {
  return ['S3.PutObject', 'DynamoDB.PutItem', 'DynamoDB.UpdateItem', 'DynamoDB.BatchWriteItem']
    .map((key) => metrics[key] ?? 0)
    .reduce((a, b) => a + b, 0);
}

/** Registry items carry the time the status was touched; the rest must be identical. */
function withoutStatus(items: Record<string, unknown>[]): Record<string, unknown>[] {
  return items.filter((item) => item.pk !== 'REGISTRY');
}

async function receiveAll(queueUrl: string): Promise<SQSEvent> {
  const records: SQSEvent['Records'] = [];
  for (let i = 0; i < 10; i += 1) {
    const page = await sandbox.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
    );
    if (!page.Messages?.length) break;
    for (const message of page.Messages) {
      records.push({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'sandbox',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: sandbox.info.queueArn,
        awsRegion: sandbox.info.hubRegion,
      });
    }
  }
  return { Records: records };
}
