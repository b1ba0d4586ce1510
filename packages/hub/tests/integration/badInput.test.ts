import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { MAX_EVENT_BYTES, maxNameLength } from '@ssmhub/core';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import { FaultInjectingHandler } from '../helpers/faultInjection.js';
import { indexRecords, storedValue } from '../helpers/groundTruth.js';

const REGION = 'us-east-1';
const FOREIGN = '999988887777';
let sandbox: TestSandbox;
let member: string;
let logs: string[];

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: [REGION] });
  [member] = sandbox.info.memberAccounts as [string];
});
afterAll(() => sandbox?.stop());
beforeEach(() => {
  logs = [];
  const capture = (chunk: unknown): boolean => (logs.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return () => vi.restoreAllMocks();
});

async function queueDepth(queueUrl: string): Promise<number> {
  let count = 0;
  for (;;) {
    const { Messages = [] } = await sandbox.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return count;
    count += Messages.length;
    for (const { ReceiptHandle } of Messages) {
      await sandbox.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle }));
    }
  }
}

function envelope(
  overrides: Record<string, unknown> = {},
  detail: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: `bad-${Math.random().toString(36).slice(2)}`,
    'detail-type': 'Parameter Store Change',
    source: 'aws.ssm',
    account: member,
    time: '2026-11-21T10:00:00Z',
    region: REGION,
    resources: [],
    detail: { operation: 'Update', name: '/corpus/x', type: 'String', ...detail },
    ...overrides,
  };
}

/** Each body with the reason the hub must log when it rejects it. */
function corpus(): [label: string, body: string, reason: string][] {
  const valid = JSON.stringify(envelope());
  return [
    ['not JSON', '{"version": "0", "id": ', 'malformed'],
    ['truncated', valid.slice(0, valid.length / 2), 'malformed'],
    ['a JSON array', '[1,2,3]', 'malformed'],
    ['a JSON string', '"aws.ssm"', 'malformed'],
    ['no detail', JSON.stringify({ ...envelope(), detail: undefined }), 'malformed'],
    ['a bad time', JSON.stringify(envelope({ time: 'yesterday' })), 'malformed'],
    ['a bad region', JSON.stringify(envelope({ region: 'mars-1' })), 'malformed'],
    ['oversized', JSON.stringify(envelope({}, { description: 'x'.repeat(MAX_EVENT_BYTES) })), 'oversized'],
    ['wrong source', JSON.stringify(envelope({ source: 'custom.app' })), 'wrong-source'],
    [
      'wrong detail-type',
      JSON.stringify(envelope({ 'detail-type': 'EC2 Instance State-change Notification' })),
      'wrong-detail-type',
    ],
    ['unknown operation', JSON.stringify(envelope({}, { operation: 'Rename' })), 'unknown-operation'],
    [
      'a policy notification (not a deletion)',
      JSON.stringify(
        envelope(
          { 'detail-type': 'Parameter Store Policy Action' },
          {
            operation: undefined,
            name: undefined,
            'parameter-name': '/corpus/x',
            'policy-type': 'ExpirationNotification',
          },
        ),
      ),
      'unknown-operation',
    ],
    ['a name with a forbidden character', JSON.stringify(envelope({}, { name: '/corpus/bad name' })), 'invalid-name'],
    ['a reserved aws prefix', JSON.stringify(envelope({}, { name: '/aws/service/ami' })), 'invalid-name'],
    ['16 levels', JSON.stringify(envelope({}, { name: '/a'.repeat(16) })), 'invalid-name'],
    ['a name longer than 2048', JSON.stringify(envelope({}, { name: `/${'n'.repeat(2048)}` })), 'invalid-name'],
    ['a foreign account', JSON.stringify(envelope({ account: FOREIGN })), 'foreign-account'],
    [
      'forged: a foreign account with a member ARN in resources',
      JSON.stringify(envelope({ account: FOREIGN, resources: [`arn:aws:ssm:${REGION}:${member}:parameter/corpus/x`] })),
      'foreign-account',
    ],
  ];
}

describe('bad input at the hub queue', () => {
  it('rejects every corpus event with its logged reason, acknowledges it (no retries, no DLQ) and never assumes a role', async () => {
    const events = corpus();
    for (const [, body] of events) {
      await sandbox.clients.sqs.send(new SendMessageCommand({ QueueUrl: sandbox.info.queueUrl, MessageBody: body }));
    }
    const spy = new FaultInjectingHandler();
    // Its own logger at the most verbose level, whatever POWERTOOLS_LOG_LEVEL says: every rejection
    // must be logged, and no log line at any level may echo the event's detail.
    const logger = new Logger({ logLevel: 'DEBUG' });
    const handler = createIngestHandler({ ...hubConfigFor(sandbox.info), requestHandler: spy, logger });
    const report = await sandbox.pump(handler, { skipForwarding: true });
    spy.destroy();

    expect(report).toMatchObject({ delivered: events.length, failedDeliveries: 0, deadLettered: 0, drained: true });
    expect(await queueDepth(sandbox.info.dlqUrl)).toBe(0);
    // Nothing reached AWS on behalf of these events: no AssumeRole (above all not into FOREIGN), no SSM read.
    expect(spy.passed['STS.AssumeRole'] ?? 0).toBe(0);
    expect(Object.keys(spy.passed).filter((op) => op.startsWith('SSM.'))).toEqual([]);
    const rejections = logs
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"event rejected"'))
      .map((line) => (JSON.parse(line) as { reason: string }).reason);
    expect(rejections.sort()).toEqual(events.map(([, , reason]) => reason).sort());
    // The rejection never echoes the event's detail.
    expect(logs.join('')).not.toContain('x'.repeat(100));
  });

  it('a finished Expiration policy action is recorded as a deletion at the event time', async () => {
    await sandbox.store.put(member, REGION, { name: '/corpus/expiring', value: 'soon gone', tier: 'Advanced' });
    await sandbox.pump();
    await sandbox.store.ssm(member, REGION).send(new DeleteParameterCommand({ Name: '/corpus/expiring' }));
    const expiredAt = `${new Date(Date.now() + 1000).toISOString().slice(0, 19)}Z`;
    const policyAction = envelope(
      { 'detail-type': 'Parameter Store Policy Action', time: expiredAt },
      {
        operation: undefined,
        name: undefined,
        'parameter-name': '/corpus/expiring',
        'policy-type': 'Expiration',
        'action-status': 'Finished',
      },
    );
    await sandbox.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: sandbox.info.queueUrl, MessageBody: JSON.stringify(policyAction) }),
    );
    await sandbox.pump(undefined, { skipForwarding: true });
    const records = await indexRecords(sandbox.clients.ddb, sandbox.info.table, member, REGION);
    expect(records.filter((r) => r.name === '/corpus/expiring').map((r) => [r.kind, r.time])).toEqual([
      ['version', expect.any(String)],
      ['tombstone', expiredAt.replace('Z', '.000Z')],
    ]);
  });
});

describe('parameters at the limits of SSM are stored exactly', () => {
  const allowed = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-';
  const deep = `/${Array.from({ length: 15 }, (_, i) => `level${i}`).join('/')}`;
  // SSM keeps 1,037 of a name's 2,048 characters for itself, and its 1,011 count the ARN before the name.
  const long = `/limits/${'L'.repeat(maxNameLength(REGION) - '/limits/'.length)}`;
  const cases: { name: string; value: string; type?: 'String' | 'StringList' | 'SecureString'; tier?: 'Advanced' }[] = [
    { name: deep, value: 'fifteen levels' },
    { name: `/limits/${allowed}`, value: 'every allowed character' },
    { name: 'limits-top-level', value: 'a top-level name without its slash' },
    { name: '/limits/advanced', value: 'A'.repeat(8192), tier: 'Advanced' },
    { name: '/limits/unicode', value: 'grüße 👋 日本語 — ‮ \u0000? no: \u2028 ok', type: 'SecureString' },
    { name: '/limits/list', value: 'a,b,,c, d ,"quoted,comma"', type: 'StringList' },
  ];

  // DynamoDB caps a sort key at 1,024 bytes: keys shorten names past KEY_NAME_LIMIT (store keys.ts).
  it('stores the longest name SSM creates (its ARN 1,011 characters)', async () => {
    await sandbox.store.put(member, REGION, { name: long, value: 'the longest name' });
    const report = await sandbox.pump();
    expect(report).toMatchObject({ failedDeliveries: 0, deadLettered: 0 });
    const records = await indexRecords(sandbox.clients.ddb, sandbox.info.table, member, REGION);
    const record = records.find((r) => r.kind === 'version' && r.name === long);
    expect(
      await storedValue(sandbox.clients.s3, sandbox.info.bucket, (record as { objectKey: string }).objectKey),
    ).toBe('the longest name');
  });

  it('stores each value exactly (S3 read-back equals the original) through the event pipeline', async () => {
    const put: typeof cases = [];
    for (const c of cases) {
      try {
        await sandbox.store.put(member, REGION, { name: c.name, value: c.value, type: c.type, tier: c.tier });
        put.push(c);
      } catch (error) {
        // The emulator's own limits are reported, not silently skipped.
        throw new Error(`the emulator refused ${c.name.slice(0, 40)}…: ${(error as Error).name}`);
      }
    }
    const report = await sandbox.pump();
    expect(report).toMatchObject({ failedDeliveries: 0, deadLettered: 0, drained: true });
    const records = await indexRecords(sandbox.clients.ddb, sandbox.info.table, member, REGION);
    for (const c of put) {
      const record = records.find((r) => r.kind === 'version' && r.name === c.name);
      expect(record, c.name.slice(0, 60)).toBeDefined();
      expect(
        await storedValue(sandbox.clients.s3, sandbox.info.bucket, (record as { objectKey: string }).objectKey),
      ).toBe(c.value);
    }
    // Values never reach the index (Invariant 6).
    expect(JSON.stringify(records)).not.toContain('A'.repeat(100));
    expect(JSON.stringify(records)).not.toContain('grüße');
  });
});
