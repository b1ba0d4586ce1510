import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterHistoryCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { StaticAccountBoundary, type VersionRecord } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import {
  assumedSession,
  INGEST_QUEUE_ARN,
  changeEvent,
  FOREIGN,
  historyEntry,
  MEMBER,
  OTHER_MEMBER,
  REGION,
  sqsEvent,
  sqsRecord,
} from '../helpers/factories.js';

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const SECRET = 'correct-horse-battery-staple';

function newHandler() {
  return createIngestHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    ingestQueueArn: INGEST_QUEUE_ARN,
    kmsKeyId: 'alias/ssmhub',
    boundary: new StaticAccountBoundary([MEMBER, OTHER_MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    maxAttempts: 3,
    index: () => index,
  });
}

let output: string[];
let index: InMemoryIndex;

beforeEach(() => {
  output = [];
  const capture = (chunk: unknown): boolean => {
    output.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  sts.on(AssumeRoleCommand).callsFake(assumedSession);
  s3.on(PutObjectCommand).resolves({});
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  index = new InMemoryIndex();
});

afterEach(() => {
  vi.restoreAllMocks();
  ssm.reset();
  sts.reset();
  s3.reset();
});

describe('ingest handler', () => {
  it('reads one history per parameter for a batch and stores each version once', async () => {
    ssm.on(GetParameterHistoryCommand, { Name: '/app/db' }).resolves({
      Parameters: [
        historyEntry('/app/db', 1, '2026-11-21T10:00:00.100Z', `${SECRET}-1`),
        historyEntry('/app/db', 2, '2026-11-21T10:00:00.200Z', `${SECRET}-2`),
        historyEntry('/app/db', 3, '2026-11-21T10:00:00.300Z', `${SECRET}-3`),
      ],
    });
    const handler = newHandler();
    const response = await handler(
      sqsEvent(
        sqsRecord(changeEvent('Create', '/app/db')),
        sqsRecord(changeEvent('Update', '/app/db')),
        sqsRecord(changeEvent('Update', '/app/db')),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(ssm.commandCalls(GetParameterHistoryCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParameterHistoryCommand)[0]?.args[0].input).toMatchObject({
      Name: '/app/db',
      WithDecryption: true,
      MaxResults: 50,
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(3);
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/ssmhub', IfNoneMatch: '*' });
    expect(JSON.parse(String(put?.Body))).toMatchObject({ Value: `${SECRET}-1`, Version: 1, account: MEMBER });
    const versions = index
      .allRecords()
      .filter((record): record is VersionRecord => record.kind === 'version')
      .map((record) => [record.version, record.time, record.lastModifiedUser]);
    expect(versions).toEqual([
      [1, '2026-11-21T10:00:00.100Z', 'arn:aws:iam::111122223333:user/alice'],
      [2, '2026-11-21T10:00:00.200Z', 'arn:aws:iam::111122223333:user/alice'],
      [3, '2026-11-21T10:00:00.300Z', 'arn:aws:iam::111122223333:user/alice'],
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('writes nothing when the same events arrive again', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T10:00:00.100Z', SECRET)],
    });
    const handler = newHandler();
    const event = changeEvent('Create', '/app/db');
    await handler(sqsEvent(sqsRecord(event)));
    const writes = () =>
      s3.commandCalls(PutObjectCommand).length +
      (index.counter.calls['DynamoDB.PutItem'] ?? 0) +
      (index.counter.calls['DynamoDB.UpdateItem'] ?? 0);
    const before = writes();
    const response = await handler(sqsEvent(sqsRecord(event)));
    expect(response.batchItemFailures).toEqual([]);
    expect(writes()).toBe(before);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('records a deletion as a tombstone at the event time', async () => {
    ssm.on(GetParameterHistoryCommand).rejects(Object.assign(new Error('gone'), { name: 'ParameterNotFound' }));
    const handler = newHandler();
    const response = await handler(
      sqsEvent(sqsRecord(changeEvent('Delete', '/app/db', { time: '2026-11-21T09:30:00Z', id: 'delete-1' }))),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(index.allRecords()).toEqual([
      expect.objectContaining({
        kind: 'tombstone',
        name: '/app/db',
        time: '2026-11-21T09:30:00.000Z',
        eventId: 'delete-1',
      }),
    ]);
    expect(index.allRecords()[0]).not.toHaveProperty('precedes');
  });

  it('marks a deletion followed by a re-creation in the same second, which SSM shows as current', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T09:30:00.400Z', SECRET)],
    });
    const response = await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Delete', '/app/db', { time: '2026-11-21T09:30:00Z', id: 'delete-1' }))),
    );
    expect(response.batchItemFailures).toEqual([]);
    const tombstone = index.allRecords().find((item) => item.kind === 'tombstone');
    expect(tombstone).toMatchObject({ time: '2026-11-21T09:30:00.000Z', precedes: '2026-11-21T09:30:00.400Z' });
  });

  it('resolves a top-level name against SSM: /foo exists, foo does not', async () => {
    ssm
      .on(GetParameterHistoryCommand, { Name: 'foo' })
      .rejects(Object.assign(new Error('nope'), { name: 'ParameterNotFound' }));
    ssm.on(GetParameterHistoryCommand, { Name: '/foo' }).resolves({
      Parameters: [historyEntry('/foo', 1, '2026-11-21T10:00:00.100Z', SECRET)],
    });
    const response = await newHandler()(sqsEvent(sqsRecord(changeEvent('Create', 'foo'))));
    expect(response.batchItemFailures).toEqual([]);
    expect(index.allRecords().map((item) => item.name)).toEqual(['/foo']);
  });

  it('records a Create whose parameter is already gone as a change whose value was not captured', async () => {
    ssm.on(GetParameterHistoryCommand).rejects(Object.assign(new Error('gone'), { name: 'ParameterNotFound' }));
    const event = changeEvent('Create', '/gone/param', { id: 'gone-1', time: '2026-11-21T10:00:07Z' });
    const response = await newHandler()(sqsEvent(sqsRecord(event)));
    expect(response.batchItemFailures).toEqual([]);
    expect(index.allRecords()).toEqual([
      {
        kind: 'uncaptured',
        account: MEMBER,
        region: REGION,
        name: '/gone/param',
        time: '2026-11-21T10:00:07.000Z',
        operation: 'Create',
        type: 'String',
        eventId: 'gone-1',
      },
    ]);
    expect(output.join('')).toContain('/gone/param');
    // Replayed: the same event writes nothing more.
    await newHandler()(sqsEvent(sqsRecord(event)));
    expect(index.allRecords()).toHaveLength(1);
  });

  it('records a top-level name created and deleted before it was read: the Create not captured, then its deletion', async () => {
    ssm.on(GetParameterHistoryCommand).rejects(Object.assign(new Error('gone'), { name: 'ParameterNotFound' }));
    const created = changeEvent('Create', 'brief', { id: 'brief-1', time: '2026-11-21T10:00:07Z' });
    const deleted = changeEvent('Delete', 'brief', { id: 'brief-2', time: '2026-11-21T10:00:09Z' });
    const response = await newHandler()(sqsEvent(sqsRecord(created, 'c'), sqsRecord(deleted, 'd')));
    expect(response.batchItemFailures).toEqual([]);
    expect(index.allRecords().map((r) => [r.kind, r.name, r.time])).toEqual([
      ['uncaptured', 'brief', '2026-11-21T10:00:07.000Z'],
      ['tombstone', 'brief', '2026-11-21T10:00:09.000Z'],
    ]);
  });

  it('records no deletion of a top-level name the hub never knew and whose creation it did not see', async () => {
    ssm.on(GetParameterHistoryCommand).rejects(Object.assign(new Error('gone'), { name: 'ParameterNotFound' }));
    const deleted = changeEvent('Delete', 'unknown', { id: 'unknown-1', time: '2026-11-21T10:00:09Z' });
    const response = await newHandler()(sqsEvent(sqsRecord(deleted)));
    expect(response.batchItemFailures).toEqual([]);
    expect(index.allRecords()).toEqual([]);
  });

  it('rejects foreign, forged and malformed events without retry and without assuming a role', async () => {
    const handler = newHandler();
    const response = await handler(
      sqsEvent(
        sqsRecord(changeEvent('Create', '/x', { account: FOREIGN }), 'foreign'),
        sqsRecord(changeEvent('Create', '/x', { source: 'my.app' }), 'forged'),
        sqsRecord('{"truncated":', 'truncated'),
        sqsRecord({ ...changeEvent('Create', '/x'), detail: { operation: 'Explode', name: '/x' } }, 'unknown-op'),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    const reasons = output
      .map((line) => JSON.parse(line) as { message: string; reason?: string; messageId?: string })
      .filter((line) => line.message === 'event rejected')
      .map((line) => [line.messageId, line.reason]);
    expect(reasons).toEqual([
      ['foreign', 'foreign-account'],
      ['forged', 'wrong-source'],
      ['truncated', 'malformed'],
      ['unknown-op', 'unknown-operation'],
    ]);
  });

  it('fails only the messages of the parameter whose processing failed', async () => {
    ssm.on(GetParameterHistoryCommand, { Name: '/ok' }).resolves({
      Parameters: [historyEntry('/ok', 1, '2026-11-21T10:00:00.100Z', SECRET)],
    });
    ssm.on(GetParameterHistoryCommand, { Name: '/broken' }).rejects(
      Object.assign(new Error(`internal error for ${SECRET}`), {
        name: 'InternalServerError',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const response = await newHandler()(
      sqsEvent(
        sqsRecord(changeEvent('Create', '/ok'), 'ok-1'),
        sqsRecord(changeEvent('Create', '/broken'), 'broken-1'),
        sqsRecord(changeEvent('Update', '/broken'), 'broken-2'),
      ),
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['broken-1', 'broken-2']);
    expect(index.allRecords().map((item) => item.name)).toEqual(['/ok']);
    // The failure is logged by kind and status, never with the AWS message (which may echo input).
    expect(output.join('')).toContain('InternalServerError');
    expect(output.join('')).not.toContain(SECRET);
  });

  it('returns a throttled parameter to the queue when retries run out, keeping the rest', async () => {
    // The SDK's own retry (standard mode, maxAttempts) runs below this mock; what the handler
    // owns is the outcome once it gives up: only that parameter's messages fail.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    ssm.on(GetParameterHistoryCommand, { Name: '/busy' }).rejects(throttled);
    ssm.on(GetParameterHistoryCommand, { Name: '/calm' }).resolves({
      Parameters: [historyEntry('/calm', 1, '2026-11-21T10:00:00.100Z', SECRET)],
    });
    const response = await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Update', '/busy'), 'busy'), sqsRecord(changeEvent('Create', '/calm'), 'calm')),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'busy' }]);
    expect(index.allRecords().map((item) => item.name)).toEqual(['/calm']);
  });

  it('reads every history page', async () => {
    const entries = Array.from({ length: 100 }, (_, i) =>
      historyEntry('/deep', i + 1, new Date(Date.UTC(2026, 10, 21, 10, 0, 0, i * 5)).toISOString(), `v${i}`),
    );
    ssm
      .on(GetParameterHistoryCommand, { Name: '/deep', NextToken: undefined })
      .resolves({ Parameters: entries.slice(0, 50), NextToken: 'page-2' })
      .on(GetParameterHistoryCommand, { Name: '/deep', NextToken: 'page-2' })
      .resolves({ Parameters: entries.slice(50) });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Update', '/deep'))));
    expect(ssm.commandCalls(GetParameterHistoryCommand)).toHaveLength(2);
    expect(index.allRecords()).toHaveLength(100);
  });

  it('assumes each member role once while its credentials are fresh', async () => {
    ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => ({
      Parameters: [historyEntry(input.Name, 1, '2026-11-21T10:00:00.100Z', SECRET)],
    }));
    const handler = newHandler();
    await handler(sqsEvent(sqsRecord(changeEvent('Create', '/a')), sqsRecord(changeEvent('Create', '/b'))));
    await handler(sqsEvent(sqsRecord(changeEvent('Create', '/c', { account: OTHER_MEMBER }))));
    await handler(sqsEvent(sqsRecord(changeEvent('Create', '/d'))));
    const roles = sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn);
    expect(roles.sort()).toEqual([
      `arn:aws:iam::${MEMBER}:role/SSMHubReader`,
      `arn:aws:iam::${OTHER_MEMBER}:role/SSMHubReader`,
    ]);
  });

  it('stores the parameter tags with each new version, and the versions even when tags are unreadable', async () => {
    ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => ({
      Parameters: [historyEntry(input.Name, 1, '2026-11-21T10:00:00.100Z', SECRET)],
    }));
    ssm
      .on(ListTagsForResourceCommand, { ResourceId: '/tagged' })
      .resolves({ TagList: [{ Key: 'team', Value: 'payments' }] });
    ssm
      .on(ListTagsForResourceCommand, { ResourceId: '/denied' })
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const response = await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Create', '/tagged')), sqsRecord(changeEvent('Create', '/denied'))),
    );
    expect(response.batchItemFailures).toEqual([]);
    const bodies = s3
      .commandCalls(PutObjectCommand)
      .map((call) => JSON.parse(String(call.args[0].input.Body)) as Record<string, unknown>);
    expect(bodies.find((b) => b.Name === '/tagged')?.Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    expect(bodies.find((b) => b.Name === '/denied')).not.toHaveProperty('Tags');
    expect(output.join('')).toContain('AccessDeniedException');
  });

  it('never writes a value to a log line', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T10:00:00.100Z', SECRET)],
    });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Create', '/app/db'))));
    expect(output.length).toBeGreaterThan(0);
    expect(output.join('')).not.toContain(SECRET);
    expect(JSON.stringify(index.contents())).not.toContain(SECRET);
  });

  it('uses the region of the event for the member SSM client', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({ Parameters: [] });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Create', '/r', { region: 'ap-southeast-2' }))));
    const call = ssm.commandCalls(GetParameterHistoryCommand)[0];
    expect(await call?.thisValue.config.region()).toBe('ap-southeast-2');
  });
});
