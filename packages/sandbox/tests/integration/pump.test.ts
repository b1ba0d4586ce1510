import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { IngestQueueSettings } from '@ssmhub/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../src/testing.js';

let sandbox: TestSandbox;
let memberA: string;
let memberB: string;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: ['us-east-1', 'eu-west-1'] });
  [memberA, memberB] = sandbox.info.memberAccounts as [string, string];
});
afterAll(() => sandbox?.stop());
// moto, like SQS, allows one PurgeQueue a minute: empty the queues by hand.
beforeEach(async () => {
  for (const QueueUrl of [sandbox.info.queueUrl, sandbox.info.dlqUrl]) {
    for (;;) {
      const { Messages = [] } = await sandbox.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) break;
      for (const { ReceiptHandle } of Messages) {
        await sandbox.clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle }));
      }
    }
  }
});

type Envelope = {
  id: string;
  account: string;
  region: string;
  time: string;
  source: string;
  'detail-type': string;
  resources: string[];
  detail: Record<string, string>;
};

/** A handler that records every delivery and fails the records `fail` picks. */
function recorder(fail: (record: SQSRecord, envelope: Envelope) => boolean = () => false) {
  const deliveries: { record: SQSRecord; envelope: Envelope }[] = [];
  const batches: SQSEvent[] = [];
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    batches.push(event);
    const batchItemFailures = [];
    for (const record of event.Records) {
      const envelope = JSON.parse(record.body) as Envelope;
      deliveries.push({ record, envelope });
      if (fail(record, envelope)) batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
  return { handler, deliveries, batches };
}

async function dlqBodies(): Promise<Envelope[]> {
  const { Messages } = await sandbox.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: sandbox.info.dlqUrl, MaxNumberOfMessages: 10 }),
  );
  return (Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Envelope);
}

describe('SandboxParameterStore events through the pump', () => {
  it('delivers a member event to the hub with its account, region, id, time and resources', async () => {
    const { store } = sandbox;
    const put = await store.put(memberA, 'eu-west-1', { name: '/app/db/url', value: 'secret-1', description: 'db' });
    expect(put.version).toBe(1);
    const { handler, deliveries, batches } = recorder();
    const report = await sandbox.pump(handler);
    expect(report).toMatchObject({ forwarded: 1, batches: 1, delivered: 1, failedDeliveries: 0, deadLettered: 0 });
    expect(report.drained).toBe(true);
    expect(deliveries).toHaveLength(1);
    const { envelope, record } = deliveries[0]!;
    expect(envelope).toEqual({
      version: '0',
      id: put.event?.id,
      'detail-type': 'Parameter Store Change',
      source: 'aws.ssm',
      account: memberA,
      time: put.event!.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'eu-west-1',
      resources: [`arn:aws:ssm:eu-west-1:${memberA}:parameter/app/db/url`],
      detail: { operation: 'Create', name: '/app/db/url', type: 'String', description: 'db' },
    });
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: sandbox.info.queueArn,
      awsRegion: sandbox.info.hubRegion,
      messageAttributes: {},
    });
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(batches[0]?.Records).toHaveLength(1);
    expect(JSON.stringify(deliveries)).not.toContain('secret-1');
  });

  it('emits Create, Update, Delete and LabelParameterVersion as SSM does, top-level names without their slash', async () => {
    const { store } = sandbox;
    await store.put(memberB, 'us-east-1', { name: '/top', value: 'a', type: 'SecureString' });
    await store.put(memberB, 'us-east-1', { name: '/top', value: 'b', overwrite: true });
    await store.label(memberB, 'us-east-1', '/top', 1, ['stable']);
    await store.put(memberB, 'us-east-1', { name: 'bare', value: 'x' });
    await store.delete(memberB, 'us-east-1', '/top');
    const many = await store.deleteMany(memberB, 'us-east-1', ['bare', '/missing']);
    expect(many.deleted.map((d) => d.name)).toEqual(['bare']);
    expect(many.invalid).toEqual(['/missing']);
    const { handler, deliveries } = recorder();
    await sandbox.pump(handler);
    const seen = deliveries
      .map(({ envelope }) => envelope)
      .sort((x, y) => x.time.localeCompare(y.time))
      .map((e) => [e.account, e.region, e.detail.operation, e.detail.name, e.detail.type, e.resources[0]]);
    const arn = (n: string) => `arn:aws:ssm:us-east-1:${memberB}:parameter/${n}`;
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((s) => JSON.stringify(s)))).toEqual(
      new Set(
        [
          [memberB, 'us-east-1', 'Create', 'top', 'SecureString', arn('top')],
          [memberB, 'us-east-1', 'Update', 'top', 'SecureString', arn('top')],
          [memberB, 'us-east-1', 'LabelParameterVersion', 'top', 'SecureString', arn('top')],
          [memberB, 'us-east-1', 'Create', 'bare', 'String', arn('bare')],
          [memberB, 'us-east-1', 'Delete', 'top', 'SecureString', arn('top')],
          [memberB, 'us-east-1', 'Delete', 'bare', 'String', arn('bare')],
        ].map((s) => JSON.stringify(s)),
      ),
    );
  });

  it('emits nothing when emitEvent is false (a missed event), though SSM changed', async () => {
    const put = await sandbox.store.put(memberA, 'us-east-1', { name: '/quiet', value: 'q' }, { emitEvent: false });
    expect(put.event).toBeUndefined();
    const { handler, deliveries } = recorder();
    const report = await sandbox.pump(handler);
    expect(report.forwarded).toBe(0);
    expect(deliveries).toEqual([]);
  });

  it('does not forward an event whose source is not aws.ssm', async () => {
    const detail = JSON.stringify({ operation: 'Create', name: '/forged', type: 'String' });
    await sandbox.store.emitRaw(memberA, 'eu-west-1', {
      Source: 'my.app',
      DetailType: 'Parameter Store Change',
      Detail: detail,
    });
    await sandbox.store.emitRaw(memberA, 'eu-west-1', {
      Source: 'aws.ssm',
      DetailType: 'Something Else',
      Detail: detail,
    });
    const forged = await sandbox.store.emitRaw(memberA, 'eu-west-1', {
      Source: 'aws.ssm',
      DetailType: 'Parameter Store Change',
      Detail: detail,
    });
    const { handler, deliveries } = recorder();
    const report = await sandbox.pump(handler);
    expect(report.forwarded).toBe(1);
    expect(deliveries.map((d) => [d.envelope.id, d.envelope.account, d.envelope.source])).toEqual([
      [forged, memberA, 'aws.ssm'],
    ]);
  });
});

describe('pump delivery semantics', () => {
  async function putThree(prefix: string): Promise<void> {
    for (const n of [1, 2, 3]) await sandbox.store.put(memberA, 'us-east-1', { name: `${prefix}/${n}`, value: 'v' });
  }

  it('redelivers a failed message and deletes it once the handler accepts it', async () => {
    await putThree('/retry');
    const { handler, deliveries } = recorder(
      (record, envelope) => envelope.detail.name === '/retry/2' && record.attributes.ApproximateReceiveCount === '1',
    );
    const report = await sandbox.pump(handler);
    expect(report).toMatchObject({ forwarded: 3, delivered: 3, failedDeliveries: 1, deadLettered: 0, drained: true });
    const second = deliveries.filter((d) => d.envelope.detail.name === '/retry/2');
    expect(second.map((d) => d.record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(second[0]?.record.messageId).toBe(second[1]?.record.messageId);
    expect(await dlqBodies()).toEqual([]);
  });

  it('moves a message that always fails to the DLQ after maxReceiveCount deliveries; the others are deleted', async () => {
    await putThree('/poison');
    const { handler, deliveries } = recorder((_, envelope) => envelope.detail.name === '/poison/3');
    const report = await sandbox.pump(handler);
    const max = IngestQueueSettings.maxReceiveCount;
    expect(report).toMatchObject({ delivered: 2, failedDeliveries: max, deadLettered: 1, drained: true });
    const poison = deliveries.filter((d) => d.envelope.detail.name === '/poison/3');
    expect(poison.map((d) => d.record.attributes.ApproximateReceiveCount)).toEqual(
      Array.from({ length: max }, (_, i) => String(i + 1)),
    );
    expect(deliveries.filter((d) => d.envelope.detail.name !== '/poison/3')).toHaveLength(2);
    const dead = await dlqBodies();
    expect(dead.map((e) => [e.detail.name, e.account])).toEqual([['/poison/3', memberA]]);
    const { Messages } = await sandbox.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: sandbox.info.queueUrl }));
    expect(Messages ?? []).toEqual([]);
  });

  it('treats a handler that throws as a failure of the whole batch', async () => {
    await putThree('/throw');
    let calls = 0;
    const report = await sandbox.pump(async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return { batchItemFailures: [] };
    });
    expect(report).toMatchObject({ delivered: 3, failedDeliveries: 3, deadLettered: 0, handlerErrors: ['boom'] });
    expect(calls).toBe(2);
  });

  it('sends batches of at most IngestQueueSettings.batchSize', async () => {
    const names = Array.from({ length: IngestQueueSettings.batchSize + 3 }, (_, i) => `/batch/${i}`);
    for (const name of names) await sandbox.store.put(memberB, 'eu-west-1', { name, value: 'v' });
    const { handler, batches, deliveries } = recorder();
    const report = await sandbox.pump(handler);
    expect(report.delivered).toBe(names.length);
    expect(Math.max(...batches.map((b) => b.Records.length))).toBeLessThanOrEqual(IngestQueueSettings.batchSize);
    expect(new Set(deliveries.map((d) => d.envelope.detail.name))).toEqual(new Set(names));
  });
});
