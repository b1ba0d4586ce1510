import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '@ssmhub/core';
import { RequestCounter } from './counter.js';

/** What is stored in S3 for one version: SSM's history entry, value included, plus where it lives. */
export interface VersionObject {
  readonly account: string;
  readonly region: string;
  readonly Name: string;
  readonly Value: string;
  readonly Version: number;
  readonly LastModifiedDate: string;
  readonly [field: string]: unknown;
}

/** The part of a stored version a reader uses (tolerant of field case). */
export interface StoredVersion {
  readonly value: string;
  /** Tags, when the hub stored them with the version. */
  readonly tags?: readonly { Key: string; Value: string }[];
}

/** S3 reads in flight at once when values are fetched. */
export const VALUE_CONCURRENCY = 16;

export interface VersionObjectsOptions {
  readonly s3: S3Client;
  readonly bucketName: string;
  /** KMS key of the SSE-KMS writes. @default - the bucket's default encryption */
  readonly kmsKeyId?: string;
  /** Where every request is counted. @default - a counter of its own */
  readonly counter?: RequestCounter;
}

function parseStored(text: string): StoredVersion {
  const body = JSON.parse(text) as Record<string, unknown>;
  const value = body.Value ?? body.value;
  if (typeof value !== 'string') throw new Error('stored version has no value');
  const tags = body.Tags ?? body.tags;
  return { value, ...(Array.isArray(tags) ? { tags: tags as StoredVersion['tags'] } : {}) };
}

/**
 * The backup bucket's version objects: one object per version, written once, read by key.
 *
 * @example
 * const objects = new VersionObjects({ s3, bucketName: 'ssmhub-backup-111122223333-eu-west-1' });
 * const stored = await objects.readMany([record.objectKey]);
 */
export class VersionObjects {
  public readonly counter: RequestCounter;

  public constructor(private readonly options: VersionObjectsOptions) {
    this.counter = options.counter ?? new RequestCounter();
  }

  /**
   * Writes one version's object. The key is derived from the version, so a second write carries
   * the same bytes; `If-None-Match` makes S3 refuse it instead of storing a duplicate.
   */
  public async put(objectKey: string, body: VersionObject): Promise<void> {
    this.counter.count('S3.PutObject');
    try {
      await this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucketName,
          Key: objectKey,
          Body: JSON.stringify(body),
          ContentType: 'application/json',
          ServerSideEncryption: 'aws:kms',
          ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      if (isPreconditionFailed(error)) return;
      throw error;
    }
  }

  /** Reads one stored version. Throws when the object is not JSON with a string Value. */
  public async read(objectKey: string): Promise<StoredVersion> {
    this.counter.count('S3.GetObject');
    const response = await this.options.s3.send(
      new GetObjectCommand({ Bucket: this.options.bucketName, Key: objectKey }),
    );
    const text = (await response.Body?.transformToString('utf8')) ?? '';
    try {
      return parseStored(text);
    } catch {
      throw new Error(`stored version s3://${this.options.bucketName}/${objectKey} is not readable JSON with a Value`);
    }
  }

  /** Reads stored versions, `VALUE_CONCURRENCY` at a time. @returns them by object key */
  public async readMany(objectKeys: readonly string[]): Promise<Map<string, StoredVersion>> {
    const unique = [...new Set(objectKeys)];
    const read = await mapLimit(unique, VALUE_CONCURRENCY, (key) => this.read(key));
    return new Map(unique.map((key, i) => [key, read[i] as StoredVersion]));
  }
}

function isPreconditionFailed(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'PreconditionFailed' || status === 412;
}
