import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetParameterHistoryCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { StaticAccountBoundary } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import {
  assumedSession,
  changeEvent,
  historyEntry,
  MEMBER,
  OTHER_MEMBER,
  sqsEvent,
  sqsRecord,
  INGEST_QUEUE_ARN,
} from '../helpers/factories.js';

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);

const throttling = () =>
  new SSMServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
const serverError = <T extends new (...args: never[]) => Error>(Kind: T, name: string) =>
  new (Kind as unknown as new (o: object) => Error)({
    name,
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
    message: 'boom',
  });

const history = (input: { Name: string }) => ({
  Parameters: [
    historyEntry(input.Name, 1, '2026-11-21T10:00:00.100Z', 'v1'),
    historyEntry(input.Name, 2, '2026-11-21T10:00:00.200Z', 'v2'),
  ],
});

let index: InMemoryIndex;
let output: string[];

function handler() {
  return createIngestHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    ingestQueueArn: INGEST_QUEUE_ARN,
    boundary: new StaticAccountBoundary([MEMBER, OTHER_MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    maxAttempts: 1,
    index: () => index,
  });
}

beforeEach(() => {
  output = [];
  const capture = (chunk: unknown): boolean => (output.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  sts.on(AssumeRoleCommand).callsFake(assumedSession);
  s3.on(PutObjectCommand).resolves({});
  ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => ({
    Parameters: [
      historyEntry(input.Name, 1, '2026-11-21T10:00:00.100Z', 'v1'),
      historyEntry(input.Name, 2, '2026-11-21T10:00:00.200Z', 'v2'),
    ],
  }));
  index = new InMemoryIndex();
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const mock of [ssm, sts, s3]) mock.reset();
});

function versions(): string[] {
  return index
    .allRecords()
    .filter((r) => r.kind === 'version')
    .map((r) => `${String(r.account)}${String(r.name)}@${String(r.version)}`)
    .sort();
}

describe('ingest under faults (mocked clients)', () => {
  it('SSM throttling fails only the throttled parameter; its redelivery stores it', async () => {
    ssm.on(GetParameterHistoryCommand, { Name: '/app/hot' }).rejectsOnce(throttling()).callsFake(history);
    const hot = sqsRecord(changeEvent('Update', '/app/hot'));
    const cold = sqsRecord(changeEvent('Update', '/app/cold'));
    const ingest = handler();
    expect(await ingest(sqsEvent(hot, cold))).toEqual({ batchItemFailures: [{ itemIdentifier: hot.messageId }] });
    expect(versions()).toEqual([`${MEMBER}/app/cold@1`, `${MEMBER}/app/cold@2`]);
    expect(await ingest(sqsEvent(hot))).toEqual({ batchItemFailures: [] });
    expect(versions()).toHaveLength(4);
    expect(output.join('')).toContain('"name":"ThrottlingException"');
  });

  it('S3 5xx and a DynamoDB 5xx after the S3 write fail the message; the redelivery completes the index without a second object', async () => {
    s3.on(PutObjectCommand).rejectsOnce(serverError(S3ServiceException, 'InternalError')).resolves({});
    const record = sqsRecord(changeEvent('Update', '/app/db'));
    const ingest = handler();
    expect((await ingest(sqsEvent(record))).batchItemFailures).toHaveLength(1);
    expect(versions()).toEqual([]);

    // The index's first write after the objects (the records' feed and coverage markers) fails.
    vi.spyOn(index.records, 'prepare').mockRejectedValueOnce(
      serverError(DynamoDBServiceException, 'InternalServerError'),
    );
    expect((await ingest(sqsEvent(record))).batchItemFailures).toHaveLength(1);
    expect(output.join('')).toContain('"error":{"name":"InternalServerError","status":500}');
    // S3 answers 412 to the second write of an existing object: If-None-Match keeps one copy.
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'exists',
      }),
    );
    // The existing object's VersionId and checksum come from one HeadObject per refused write.
    // It holds the same version: its content metadata is the one the refused write carried.
    s3.on(HeadObjectCommand).callsFake((input: { Key?: string }) => ({
      VersionId: 'existing-version',
      ChecksumSHA256: 'c2hhMjU2',
      Metadata: s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === input.Key)?.args[0].input
        .Metadata,
    }));
    expect(await ingest(sqsEvent(record))).toEqual({ batchItemFailures: [] });
    expect(versions()).toEqual([`${MEMBER}/app/db@1`, `${MEMBER}/app/db@2`]);
    expect(s3.commandCalls(PutObjectCommand).every((c) => c.args[0].input.IfNoneMatch === '*')).toBe(true);
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.ChecksumMode)).toEqual(['ENABLED', 'ENABLED']);
    const stored = index.allRecords().filter((record) => record.kind === 'version');
    expect(
      stored.map((record) => record.kind === 'version' && [record.objectVersionId, record.objectChecksum]),
    ).toEqual([
      ['existing-version', 'c2hhMjU2'],
      ['existing-version', 'c2hhMjU2'],
    ]);
  });

  it('STS AccessDenied fails only the broken account’s messages, every time (they reach the DLQ), and harms nothing else', async () => {
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${OTHER_MEMBER}:role/SSMHubReader` }).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'denied',
      }),
    );
    const broken = sqsRecord(changeEvent('Update', '/app/x', { account: OTHER_MEMBER }));
    const fine = sqsRecord(changeEvent('Update', '/app/x'));
    const ingest = handler();
    for (let delivery = 0; delivery < 3; delivery++) {
      expect(await ingest(sqsEvent(broken, fine))).toEqual({
        batchItemFailures: [{ itemIdentifier: broken.messageId }],
      });
    }
    expect(versions()).toEqual([`${MEMBER}/app/x@1`, `${MEMBER}/app/x@2`]);
    const named = (input: { Name?: string; ResourceId?: string }) => input.Name ?? input.ResourceId;
    expect(ssm.calls().every((c) => named(c.args[0].input as { Name?: string }) === '/app/x')).toBe(true);
  });

  it('a poison message fails alone on every delivery; the rest of its batch is stored', async () => {
    ssm
      .on(GetParameterHistoryCommand, { Name: '/app/poison' })
      .rejects(serverError(SSMServiceException, 'InternalServerError'));
    const poison = sqsRecord(changeEvent('Update', '/app/poison'));
    const others = [1, 2, 3].map((i) => sqsRecord(changeEvent('Create', `/app/ok${i}`)));
    const ingest = handler();
    for (let delivery = 0; delivery < 2; delivery++) {
      expect(await ingest(sqsEvent(poison, ...others))).toEqual({
        batchItemFailures: [{ itemIdentifier: poison.messageId }],
      });
    }
    expect(versions()).toHaveLength(6);
  });
});
