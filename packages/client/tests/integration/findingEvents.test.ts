import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FindingEvent } from '@ssmhub/core';
import { createIngestHandler } from '@ssmhub/hub';
import { hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../helpers/capturingLogger.js';

// Issue 23 item 4 on the sandbox, IAM enforced: the ingest role puts one `ssmhub Finding` event per
// new finding on the hub bus (its AnnounceFindings grant), with the detail a SIEM routes on and no
// value or matched text, in the event or in the logs.
const LEAKED = 'AKIAIOSFODNN7EXAMPLE';
let sandbox: TestSandbox;
let member: string;
const logged: string[] = [];

function ingestWithFindingEvents() {
  const logger = capturingLogger(logged);
  return createIngestHandler({
    ...hubConfigFor(sandbox.info),
    logger,
    findingEvents: true,
    eventBusName: sandbox.info.bus,
  });
}

async function pumpAll(handler: ReturnType<typeof ingestWithFindingEvents>): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = await sandbox.pump(handler);
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1 });
  member = sandbox.info.memberAccounts[0] as string;
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('ssmhub Finding events on the sandbox', () => {
  it('one event per new finding, none for a fix, never the value', async () => {
    const { events, sqs } = sandbox.clients;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'finding-events' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(
      new PutRuleCommand({
        Name: 'finding-events',
        EventBusName: sandbox.info.bus,
        EventPattern: JSON.stringify({ source: [FindingEvent.source], 'detail-type': [FindingEvent.detailType] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'finding-events',
        EventBusName: sandbox.info.bus,
        Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
      }),
    );
    const handler = ingestWithFindingEvents();
    const region = sandbox.info.hubRegion;
    await sandbox.store.put(member, region, { name: '/app/ci/key', value: `key=${LEAKED}` });
    await pumpAll(handler);
    const received = async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ??
      [];
    const first = await received();
    expect(first).toHaveLength(1);
    const event = JSON.parse(first[0]?.Body ?? '{}') as { source: string; 'detail-type': string; detail: object };
    expect(event.source).toBe('ssmhub');
    expect(event['detail-type']).toBe('ssmhub Finding');
    expect(event.detail).toEqual({
      account: member,
      region,
      name: '/app/ci/key',
      rule: 'aws-access-key-id',
      severity: 'HIGH',
      state: 'new',
      time: expect.any(String) as string,
      version: 1,
      findingId: `ssmhub/${member}/${region}/aws-access-key-id//app/ci/key`,
    });

    // The fix is sent to Security Hub when configured, but it is no new finding: no event.
    await sandbox.store.put(member, region, { name: '/app/ci/key', value: 'key=in-secrets-manager', overwrite: true });
    await pumpAll(handler);
    expect(await received()).toHaveLength(0);

    expect(first[0]?.Body).not.toContain(LEAKED);
    expect(logged.join('\n')).not.toContain(LEAKED);
    expect(logged.join('\n')).not.toContain('in-secrets-manager');
  });
});
