/**
 * What moto 5.2.5 does that the sandbox depends on or works around. If an upgrade changes one of
 * these, this file says which sandbox decision to revisit.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { IngestQueueSettings } from '@ssmhub/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeMemberRole, hopQueueUrl } from '../../src/index.js';
import { startTestSandbox, type TestSandbox } from '../../src/testing.js';

let sandbox: TestSandbox;
let member: string;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: ['eu-west-1'] });
  [member] = sandbox.info.memberAccounts as [string];
});
afterAll(() => sandbox?.stop());

async function receiveAll(sqs: SQSClient, QueueUrl: string) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
  );
  return Messages;
}

describe('moto 5.2.5', () => {
  it('rewrites an event forwarded bus-to-bus across accounts (why the sandbox hops through a queue)', async () => {
    const { info } = sandbox;
    const events = sandbox.store.events(member, 'eu-west-1');
    await events.send(
      new PutRuleCommand({ Name: 'facts-b2b', EventPattern: JSON.stringify({ source: ['facts.b2b'] }) }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'facts-b2b', Targets: [{ Id: 'hub', Arn: info.busArn }] }));
    await sandbox.clients.events.send(
      new PutRuleCommand({
        Name: 'facts-b2b',
        EventBusName: info.bus,
        EventPattern: JSON.stringify({ source: ['facts.b2b'] }),
      }),
    );
    await sandbox.clients.events.send(
      new PutTargetsCommand({ Rule: 'facts-b2b', EventBusName: info.bus, Targets: [{ Id: 'q', Arn: info.queueArn }] }),
    );
    const { Entries } = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'facts.b2b',
            DetailType: 'x',
            Detail: '{"a":1}',
            Resources: ['arn:aws:ssm:eu-west-1:1:parameter/x'],
            Time: new Date('2026-01-01T10:00:00Z'),
          },
        ],
      }),
    );
    const [message] = await receiveAll(sandbox.clients.sqs, info.queueUrl);
    const arrived = JSON.parse(message?.Body ?? '{}');
    expect(arrived.detail).toEqual({ a: 1 });
    expect(arrived.id).not.toBe(Entries?.[0]?.EventId);
    expect(arrived.time).not.toBe('2026-01-01T10:00:00Z');
    expect(arrived.region).toBe(info.hubRegion); // not eu-west-1
    expect(arrived.resources).toEqual([]);
    expect(arrived.account).toBeUndefined();
    await sandbox.clients.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: info.queueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  });

  it('keeps id, time (whole seconds), region and resources on a same-account SQS target, but drops account', async () => {
    const events = sandbox.store.events(member, 'eu-west-1');
    const { Entries } = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ssm',
            DetailType: 'Parameter Store Change',
            Detail: '{"operation":"Create","name":"x","type":"String"}',
            Resources: [`arn:aws:ssm:eu-west-1:${member}:parameter/x`],
            Time: new Date('2026-01-01T10:00:00.789Z'),
          },
        ],
      }),
    );
    const credentials = await assumeMemberRole(sandbox.info.endpoint, member);
    const sqs = new SQSClient({ endpoint: sandbox.info.endpoint, region: 'eu-west-1', credentials });
    const [message] = await receiveAll(sqs, hopQueueUrl(sandbox.info.endpoint, member));
    sqs.destroy();
    const body = JSON.parse(message?.Body ?? '{}');
    expect(body).toMatchObject({
      id: Entries?.[0]?.EventId,
      time: '2026-01-01T10:00:00Z',
      region: 'eu-west-1',
      resources: [`arn:aws:ssm:eu-west-1:${member}:parameter/x`],
    });
    expect(body).not.toHaveProperty('account');
  });

  it('moves a message to the DLQ itself, on the receive after maxReceiveCount deliveries', async () => {
    const { info } = sandbox;
    const { sqs } = sandbox.clients;
    // Empty the queue of the first test's leftover.
    await sandbox.pump(async () => ({ batchItemFailures: [] }), { skipForwarding: true });
    await sqs.send(new SendMessageCommand({ QueueUrl: info.queueUrl, MessageBody: 'poison' }));
    const counts: string[] = [];
    for (let i = 0; i < IngestQueueSettings.maxReceiveCount + 2; i++) {
      for (const message of await receiveAll(sqs, info.queueUrl)) {
        counts.push(message.Attributes?.ApproximateReceiveCount ?? '');
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: info.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }
    }
    expect(counts).toEqual(['1', '2', '3', '4', '5']);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: info.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
  });
});
