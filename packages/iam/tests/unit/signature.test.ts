import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { MalformedSignatureError } from '../../src/errors.js';
import { mapRequest } from '../../src/requests/index.js';
import { parseSignature } from '../../src/signature.js';
import type { HttpRequest } from '../../src/types.js';
import { allow, BUCKET, BUCKET_ARN, directory, HUB } from '../helpers/directory.js';
import { REGION, RequestCapture } from '../helpers/signedRequests.js';

const capture = new RequestCapture();
const ACCESS_KEY = capture.clientConfig.credentials.accessKeyId;

/** SHA-256 (or its HMAC) from node:crypto, in the shape the SDK's signer takes. */
class NodeSha256 {
  #hash: Hash | Hmac;
  public constructor(private readonly secret?: SourceData) {
    this.#hash = this.fresh();
  }
  public update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  public async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
  public reset(): void {
    this.#hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

function request(url: string, headers: Record<string, string> = {}): HttpRequest {
  return { method: 'GET', url, headers, body: Buffer.alloc(0) };
}

describe('parseSignature', () => {
  it('reads the scope of a request the SDK signed', async () => {
    const s3 = new S3Client({ ...capture.clientConfig, forcePathStyle: true });
    const signed = await capture.signed(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' })));
    expect(parseSignature(signed)).toEqual({ accessKeyId: ACCESS_KEY, region: REGION, service: 's3' });
  });

  it('reads each service’s signing name (CloudWatch signs as monitoring)', async () => {
    const dynamodb = await capture.signed(new DynamoDBClient(capture.clientConfig).send(new ListTablesCommand({})));
    const cloudwatch = await capture.signed(
      new CloudWatchClient(capture.clientConfig).send(new DescribeAlarmsCommand({})),
    );
    expect(parseSignature(dynamodb)?.service).toBe('dynamodb');
    expect(parseSignature(cloudwatch)?.service).toBe('monitoring');
  });

  it('reads the scope of a presigned URL, which maps like the request it stands for', async () => {
    const signer = new SignatureV4({
      service: 's3',
      region: 'eu-west-1',
      credentials: capture.clientConfig.credentials,
      sha256: NodeSha256,
      uriEscapePath: false,
    });
    const presigned = await signer.presign({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: `/${BUCKET}/v/1.json`,
      query: {},
      headers: { host: '127.0.0.1:4566' },
    });
    const query = Object.entries(presigned.query ?? {})
      .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
      .join('&');
    const url = `${presigned.path}?${query}`;
    const scope = parseSignature(request(url, { host: '127.0.0.1:4566' }));
    expect(scope).toEqual({ accessKeyId: ACCESS_KEY, region: 'eu-west-1', service: 's3' });
    if (scope === undefined) return;
    expect(mapRequest(request(url), scope, directory()).authorizations).toEqual([
      allow('s3:GetObject', `${BUCKET_ARN}/v/1.json`, HUB),
    ]);
  });

  it('is undefined for an unsigned request', () => {
    expect(parseSignature(request('/bucket/key?versionId=1'))).toBeUndefined();
  });

  it.each([
    ['a SigV2 header', { authorization: `AWS ${ACCESS_KEY}:c2lnbmF0dXJl` }],
    ['a SigV4a header', { authorization: `AWS4-ECDSA-P256-SHA256 Credential=${ACCESS_KEY}/20261203/s3/aws4_request` }],
    ['a header without its credential', { authorization: 'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0' }],
    [
      'a credential scope of the wrong shape',
      { authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20261203/us-east-1/s3` },
    ],
  ])('refuses %s, naming no header value', (_case, headers) => {
    expect(() => parseSignature(request('/', headers))).toThrow(MalformedSignatureError);
    expect(() => parseSignature(request('/', headers))).not.toThrow(ACCESS_KEY);
  });

  it('refuses a presigned URL of another algorithm', () => {
    const url = `/b/k?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=${ACCESS_KEY}%2F20261203%2Fs3%2Faws4_request`;
    expect(() => parseSignature(request(url))).toThrow(MalformedSignatureError);
  });
});
