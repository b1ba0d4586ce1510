import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterHistoryCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { StaticAccountBoundary } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import {
  changeEvent,
  historyEntry,
  MEMBER,
  sqsEvent,
  sqsRecord,
  INGEST_QUEUE_ARN,
  assumedSession,
} from '../helpers/factories.js';

// Every client but KMS is mocked at `send` (the index is in memory); KMS keeps the SDK's middleware (its standard retry)
// and answers from `kmsEndpoint`, a stand-in for KMS on the wire.
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);

const VALUE = 'kms-throttling-test-value';
const MAX_ATTEMPTS = 3;

/** What KMS answers a throttled caller (HTTP 400, ThrottlingException), then a MAC once `throttled` runs out. */
class KmsEndpoint {
  public readonly attempts: string[] = [];
  /** When each attempt arrived (ms). */
  public readonly arrivals: number[] = [];
  public constructor(private throttled: number) {}

  public async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    expect(request.headers['x-amz-target']).toBe('TrentService.GenerateMac');
    // The SDK's retry strategy numbers each attempt of one call: `attempt=2; max=3`.
    this.attempts.push(request.headers['amz-sdk-request'] ?? '');
    this.arrivals.push(performance.now());
    if (this.throttled > 0) {
      this.throttled -= 1;
      return answer(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    return answer(200, { KeyId: DIGEST_KEY, Mac: Buffer.from('mac').toString('base64'), MacAlgorithm: 'HMAC_SHA_256' });
  }

  public updateHttpClientConfig(): void {}

  public httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

const DIGEST_KEY = 'arn:aws:kms:us-east-1:222222222222:key/digest';

function answer(status: number, body: object): { response: HttpResponse } {
  const text = JSON.stringify(body);
  return {
    response: {
      statusCode: status,
      reason: undefined,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(text)) },
      body: Readable.from([Buffer.from(text)]),
    } as HttpResponse,
  };
}

let index: InMemoryIndex;
let output: string[];

function handler(kmsEndpoint: KmsEndpoint) {
  return createIngestHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    ingestQueueArn: INGEST_QUEUE_ARN,
    boundary: new StaticAccountBoundary([MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    digestKeyId: DIGEST_KEY,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: kmsEndpoint as never,
    index: () => index,
  });
}

beforeEach(() => {
  output = [];
  const capture = (chunk: unknown): boolean => (output.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  sts.on(AssumeRoleCommand).callsFake(assumedSession);
  s3.on(PutObjectCommand).resolves({ VersionId: 'v', ChecksumSHA256: 'c' });
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => ({
    Parameters: [historyEntry(input.Name, 1, '2026-11-21T10:00:00.100Z', VALUE)],
  }));
  index = new InMemoryIndex();
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const mock of [ssm, sts, s3]) mock.reset();
});

describe('KMS throttling of the digest key (GenerateMac, once per container)', () => {
  it('is retried by the SDK standard retry with backoff, and the version is stored once KMS answers', async () => {
    const kms = new KmsEndpoint(MAX_ATTEMPTS - 1);
    const record = sqsRecord(changeEvent('Create', '/app/digested'));
    expect(await handler(kms)(sqsEvent(record))).toEqual({ batchItemFailures: [] });
    expect(kms.attempts).toEqual(['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);
    // Backoff: standard mode waits a random share of 500 ms x 2^n after a throttle (two waits
    // both under 10 ms happen about once in 20,000 runs).
    expect((kms.arrivals.at(-1) ?? 0) - (kms.arrivals[0] ?? 0)).toBeGreaterThan(10);
    const [stored] = index.allRecords().filter((r) => r.kind === 'version');
    // The digest under the key KMS derived (its MAC 'mac'), over the value's SHA-256.
    const digest = createHmac('sha256', Buffer.from('mac'))
      .update(createHash('sha256').update(VALUE).digest())
      .digest('base64');
    expect(stored).toMatchObject({ name: '/app/digested', version: 1, digest });
  });

  it('still throttled after the last attempt: the message goes back to the queue (a retryable failure), nothing half-written, no value logged', async () => {
    const kms = new KmsEndpoint(Number.POSITIVE_INFINITY);
    const throttled = sqsRecord(changeEvent('Create', '/app/throttled'));
    const ingest = handler(kms);
    expect(await ingest(sqsEvent(throttled))).toEqual({ batchItemFailures: [{ itemIdentifier: throttled.messageId }] });
    expect(kms.attempts).toHaveLength(MAX_ATTEMPTS);
    // The digest is taken before the object is written: a redelivery starts clean.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(index.allRecords().filter((r) => r.kind === 'version')).toEqual([]);
    expect(output.join('')).toContain('"name":"ThrottlingException"');
    expect(output.join('')).not.toContain(VALUE);
    // Its redelivery, once KMS has capacity again, stores the version.
    const recovered = new KmsEndpoint(0);
    expect(await handler(recovered)(sqsEvent(throttled))).toEqual({ batchItemFailures: [] });
    expect(index.allRecords().filter((r) => r.kind === 'version')).toHaveLength(1);
  });
});
