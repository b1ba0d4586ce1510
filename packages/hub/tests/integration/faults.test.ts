import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { IngestQueueSettings } from '@ssmhub/core';
import { hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import { reconcileAccount } from '../../src/reconcile.js';
import { FaultInjectingHandler } from '../helpers/faultInjection.js';
import { indexRecords, ssmVersionKeys, storedValue, versionKeys } from '../helpers/groundTruth.js';

const REGION = 'us-east-1';
let sandbox: TestSandbox;
let memberA: string;
let memberB: string;
let faults: FaultInjectingHandler;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION] });
  [memberA, memberB] = sandbox.info.memberAccounts as [string, string];
});
afterAll(() => sandbox?.stop());

async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sandbox.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return bodies;
    for (const { ReceiptHandle, Body } of Messages) {
      bodies.push(Body ?? '');
      await sandbox.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle }));
    }
  }
}

/** DLQ redrive: every dead letter back on the ingest queue. Returns how many moved. */
async function redrive(): Promise<number> {
  const bodies = await drain(sandbox.info.dlqUrl);
  for (const MessageBody of bodies) {
    await sandbox.clients.sqs.send(new SendMessageCommand({ QueueUrl: sandbox.info.queueUrl, MessageBody }));
  }
  return bodies.length;
}

beforeEach(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  await drain(sandbox.info.queueUrl);
  await drain(sandbox.info.dlqUrl);
  faults = new FaultInjectingHandler();
  return () => {
    faults.destroy();
    vi.restoreAllMocks();
  };
});

/** The real ingest handler with faults injected under the SDK's retry logic (3 attempts a call). */
function faultyHandler() {
  return createIngestHandler({ ...hubConfigFor(sandbox.info), requestHandler: faults, maxAttempts: 3 });
}

/** Index versions under `prefix` equal SSM's own history (the ground truth). */
async function expectIndexMatchesSsm(account: string, prefix: string): Promise<void> {
  const records = await indexRecords(sandbox.clients.ddb, sandbox.info.table, account, REGION);
  const truth = await ssmVersionKeys(sandbox.store.ssm(account, REGION));
  const mine = (keys: string[]) => keys.filter((k) => k.startsWith(prefix));
  expect(mine(truth.keys).length).toBeGreaterThan(0);
  expect(mine(versionKeys(records))).toEqual(mine(truth.keys));
}

async function putMany(account: string, prefix: string, count: number, updates = 1): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (let v = 0; v < updates; v++) {
      await sandbox.store.put(account, REGION, { name: `${prefix}p${i}`, value: `value-${i}-${v}`, overwrite: v > 0 });
    }
  }
}

describe('faults on the sandbox (real SDK retries through an injecting request handler)', () => {
  it('a short SSM throttling burst is absorbed by the SDK retries: every message indexed on first delivery', async () => {
    await putMany(memberA, '/throttle/short/', 4);
    faults.add({ operation: 'SSM.GetParameterHistory', times: 2, fault: 'throttle' });
    const report = await sandbox.pump(faultyHandler());
    expect(faults.injected['SSM.GetParameterHistory']).toBe(2);
    expect(report).toMatchObject({ delivered: 4, failedDeliveries: 0, deadLettered: 0, drained: true });
    await expectIndexMatchesSsm(memberA, '/throttle/short/');
  });

  it('a longer burst fails the message; its redelivery succeeds and nothing reaches the DLQ', async () => {
    await putMany(memberA, '/throttle/long/', 1, 3);
    faults.add({ operation: 'SSM.GetParameterHistory', times: 4, fault: 'throttle' });
    const report = await sandbox.pump(faultyHandler());
    expect(faults.injected['SSM.GetParameterHistory']).toBe(4);
    expect(report.failedDeliveries).toBeGreaterThan(0);
    expect(report).toMatchObject({ delivered: 3, deadLettered: 0, drained: true });
    await expectIndexMatchesSsm(memberA, '/throttle/long/');
    expect(await drain(sandbox.info.dlqUrl)).toEqual([]);
  });

  it('S3 and DynamoDB 5xx: retried, then redelivered; the index equals SSM', async () => {
    await putMany(memberA, '/5xx/', 3, 2);
    faults.add({ operation: 'S3.PutObject', times: 4, fault: 'server-error' });
    faults.add({ operation: 'DynamoDB.PutItem', times: 4, fault: 'server-error' });
    faults.add({ operation: 'DynamoDB.Query', times: 1, fault: 'throttle' });
    const report = await sandbox.pump(faultyHandler());
    expect(faults.injected).toMatchObject({ 'S3.PutObject': 4, 'DynamoDB.PutItem': 4, 'DynamoDB.Query': 1 });
    expect(report).toMatchObject({ delivered: 6, deadLettered: 0, drained: true });
    await expectIndexMatchesSsm(memberA, '/5xx/');
  });

  it('a crash between the S3 write and the index write: the redelivery completes the index, one object per version', async () => {
    await putMany(memberA, '/crash/', 1, 2);
    faults.add({ operation: 'DynamoDB.PutItem', times: 1, fault: 'crash' });
    const handler = faultyHandler();
    let afterCrash: { objects: number; records: number } | undefined;
    const observing = async (event: SQSEvent) => {
      const response = await handler(event);
      if (!afterCrash) {
        const objects = await sandbox.clients.s3.send(
          new ListObjectsV2Command({
            Bucket: sandbox.info.bucket,
            Prefix: `parameters/${memberA}/${REGION}/%2Fcrash%2F`,
          }),
        );
        const records = await indexRecords(sandbox.clients.ddb, sandbox.info.table, memberA, REGION);
        afterCrash = {
          objects: objects.KeyCount ?? 0,
          records: versionKeys(records).filter((k) => k.startsWith('/crash/')).length,
        };
      }
      return response;
    };
    const report = await sandbox.pump(observing);
    // The crash left both objects in S3 but not every record in the index…
    expect(afterCrash?.objects).toBe(2);
    expect(afterCrash?.records).toBeLessThan(2);
    expect(report).toMatchObject({ deadLettered: 0, drained: true });
    expect(report.failedDeliveries).toBeGreaterThan(0);
    // …and the redelivery completed it, with no second object.
    await expectIndexMatchesSsm(memberA, '/crash/');
    const objects = await sandbox.clients.s3.send(
      new ListObjectsV2Command({ Bucket: sandbox.info.bucket, Prefix: `parameters/${memberA}/${REGION}/%2Fcrash%2F` }),
    );
    expect(objects.KeyCount).toBe(2);
  });

  it('STS AccessDenied for one member: its messages go to the DLQ after maxReceiveCount, the other member is untouched; redrive recovers', async () => {
    await putMany(memberA, '/denied/', 2);
    await putMany(memberB, '/denied/', 2);
    faults.add({ operation: 'STS.AssumeRole', when: memberB, fault: 'access-denied' });
    const report = await sandbox.pump(faultyHandler());
    expect(report).toMatchObject({ delivered: 2, deadLettered: 2, drained: true });
    expect(report.failedDeliveries).toBe(2 * IngestQueueSettings.maxReceiveCount);
    await expectIndexMatchesSsm(memberA, '/denied/');
    expect(
      versionKeys(await indexRecords(sandbox.clients.ddb, sandbox.info.table, memberB, REGION)).filter((k) =>
        k.startsWith('/denied/'),
      ),
    ).toEqual([]);
    // The role is fixed; the DLQ is redriven: nothing was dropped silently.
    faults.clear();
    expect(await redrive()).toBe(2);
    const recovery = await sandbox.pump(faultyHandler());
    expect(recovery).toMatchObject({ delivered: 2, failedDeliveries: 0, deadLettered: 0 });
    await expectIndexMatchesSsm(memberB, '/denied/');
  });

  it('a poison message (its parameter always fails) goes to the DLQ alone; after the DLQ is lost, a reconcile fills the gap', async () => {
    await putMany(memberA, '/poison/', 3);
    faults.add({ operation: 'SSM.GetParameterHistory', when: '/poison/p1', fault: 'server-error' });
    const report = await sandbox.pump(faultyHandler());
    expect(report).toMatchObject({ delivered: 2, deadLettered: 1, drained: true });
    const dead = await drain(sandbox.info.dlqUrl); // purged: the event is gone for good
    expect(dead.map((body) => (JSON.parse(body) as { detail: { name: string } }).detail.name)).toEqual(['/poison/p1']);
    faults.clear();
    const sweep = await reconcileAccount({
      ...hubConfigFor(sandbox.info),
      account: memberA,
      region: REGION,
      ssmCallsPerSecond: 100,
    });
    expect(sweep.repaired.versions).toBe(1);
    await expectIndexMatchesSsm(memberA, '/poison/');
    const records = await indexRecords(sandbox.clients.ddb, sandbox.info.table, memberA, REGION);
    const p1 = records.find((r) => r.kind === 'version' && r.name === '/poison/p1');
    expect(await storedValue(sandbox.clients.s3, sandbox.info.bucket, (p1 as { objectKey: string }).objectKey)).toBe(
      'value-1-0',
    );
  });

  it('reconcile itself survives SSM throttling (retried under its rate limit) and a broken role in one account', async () => {
    await sandbox.store.put(memberB, REGION, { name: '/sweep/throttled', value: 'x' }, { emitEvent: false });
    faults.add({ operation: 'SSM.DescribeParameters', times: 2, fault: 'throttle' });
    const config = { ...hubConfigFor(sandbox.info), requestHandler: faults, maxAttempts: 3, ssmCallsPerSecond: 100 };
    const report = await reconcileAccount({ ...config, account: memberB, region: REGION });
    expect(faults.injected['SSM.DescribeParameters']).toBe(2);
    expect(report.complete).toBe(true);
    await expectIndexMatchesSsm(memberB, '/sweep/');
    faults.add({ operation: 'STS.AssumeRole', when: memberA, fault: 'access-denied' });
    await expect(reconcileAccount({ ...config, account: memberA, region: REGION })).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});
