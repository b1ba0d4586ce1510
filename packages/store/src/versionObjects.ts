import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapLimit, type VersionRecord } from '@ssmhub/core';
import { RequestCounter } from './counter.js';
import { IntegrityError } from './errors.js';

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

/** Where a written object is: the fields of its VersionRecord that a verified read checks. */
export type StoredObjectRef = Pick<VersionRecord, 'objectVersionId' | 'objectChecksum'>;

/** What a check of one stored version found. */
export const ObjectStatus = {
  /** The object is at its recorded VersionId, its SHA-256 matches and its body describes the record. */
  ok: 'ok',
  /** No object at the recorded VersionId (deleted, or the index names a version S3 never had). */
  missing: 'missing',
  /** The bytes' SHA-256 is not the one the index recorded. */
  checksumMismatch: 'checksum-mismatch',
  /** The GET failed (KMS refused to decrypt, access denied): the value cannot be read back. */
  undecryptable: 'undecryptable',
  /** The body is not the stored version the index describes (name, version, time, type, location). */
  metadataMismatch: 'metadata-mismatch',
  /** A later object was written over the recorded one (objects are written once: a sign of tampering). */
  overwritten: 'overwritten',
  /** Stored before ssmhub recorded VersionIds and checksums: read by key, not verifiable. */
  unverifiable: 'unverifiable',
} as const;
export type ObjectStatus = (typeof ObjectStatus)[keyof typeof ObjectStatus];

/** One stored version checked: its status, why (never a value), and what it holds when readable. */
export interface ObjectInspection {
  readonly status: ObjectStatus;
  /** Why it is not ok (field names, error names: never a value). */
  readonly reason?: string;
  /** The stored version, when the object was read and parsed. */
  readonly stored?: StoredVersion;
  /** The error a failed GET ended with (undecryptable). */
  readonly error?: unknown;
}

/** A read of stored versions: values by object key, and the records that could not be verified. */
export interface VersionReads {
  readonly values: Map<string, StoredVersion>;
  /** Records stored before VersionIds and checksums were recorded: read by key, unverified. */
  readonly unverified: VersionRecord[];
}

/** S3 reads in flight at once when values are fetched. */
export const VALUE_CONCURRENCY = 16;

/**
 * The S3 actions each part of VersionObjects needs on the bucket's objects, for the stacks to grant
 * (so a policy and the calls it allows cannot drift apart). The KMS side is the key policy's:
 * writing needs kms:GenerateDataKey through S3, reading a value kms:Decrypt through S3.
 */
export const VersionObjectActions = {
  /** `put`: PutObject with If-None-Match. */
  write: ['s3:PutObject'],
  /**
   * `put` refused with 412 (a redelivery, or two writers racing): one HeadObject of the existing
   * object, which S3 authorizes as s3:GetObject. HEAD returns metadata only and calls no KMS, so
   * a writer without kms:Decrypt can learn where a version is stored, never read its value.
   */
  headExisting: ['s3:GetObject'],
  /**
   * `readVersions` and `inspect`: GET at the recorded VersionId (s3:GetObjectVersion); records
   * stored before VersionIds were recorded, and the HEAD of the current version, by key (s3:GetObject).
   */
  read: ['s3:GetObject', 's3:GetObjectVersion'],
} as const;

export interface VersionObjectsOptions {
  readonly s3: S3Client;
  readonly bucketName: string;
  /** KMS key of the SSE-KMS writes. @default - the bucket's default encryption */
  readonly kmsKeyId?: string;
  /** Where every request is counted. @default - a counter of its own */
  readonly counter?: RequestCounter;
}

/** SHA-256 of `bytes`, base64: the form S3 reports as ChecksumSHA256. */
export function sha256Base64(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/**
 * The record's fields the object's body disagrees with (names only): name, version, time, type,
 * account and region must be the record's, or the index points at another version's object.
 */
export function metadataMismatches(record: VersionRecord, body: Record<string, unknown>): string[] {
  const expected: [string, unknown, unknown][] = [
    ['Name', record.name, body.Name],
    ['Version', record.version, body.Version],
    ['LastModifiedDate', record.time, body.LastModifiedDate],
    ['Type', record.type, body.Type ?? 'String'],
    ['account', record.account, body.account],
    ['region', record.region, body.region],
  ];
  return expected.filter(([, want, got]) => want !== got).map(([field]) => field);
}

function parseStored(body: Record<string, unknown>): StoredVersion | undefined {
  const value = body.Value ?? body.value;
  if (typeof value !== 'string') return undefined;
  const tags = body.Tags ?? body.tags;
  return { value, ...(Array.isArray(tags) ? { tags: tags as StoredVersion['tags'] } : {}) };
}

function parseBody(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isPreconditionFailed(error: unknown): boolean {
  return error instanceof Error && (error.name === 'PreconditionFailed' || httpStatus(error) === 412);
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return ['NoSuchKey', 'NoSuchVersion', 'NotFound'].includes(error.name) || httpStatus(error) === 404;
}

/** The SDK's own response-checksum validation (ChecksumMode ENABLED) failed while reading the body. */
function isSdkChecksumFailure(error: unknown): boolean {
  return error instanceof Error && /checksum mismatch/i.test(error.message);
}

/**
 * The backup bucket's version objects: one object per version, written once (If-None-Match), with
 * a SHA-256 checksum S3 computes and keeps. Every value is read through `readVersions`, which
 * fetches the exact VersionId the index recorded, recomputes the SHA-256 over the bytes itself,
 * and throws IntegrityError when they differ from the record.
 *
 * @example
 * const objects = new VersionObjects({ s3, bucketName: 'ssmhub-backup-111122223333-eu-west-1' });
 * const { values } = await objects.readVersions([record]);
 * values.get(record.objectKey)?.value;
 */
export class VersionObjects {
  public readonly counter: RequestCounter;

  public constructor(private readonly options: VersionObjectsOptions) {
    this.counter = options.counter ?? new RequestCounter();
  }

  /**
   * Writes one version's object and says where S3 put it (VersionId and SHA-256, from the
   * PutObject response: no extra request). The key is derived from the version, so a second write
   * carries the same version; `If-None-Match` makes S3 refuse it instead of storing a duplicate,
   * and then one HeadObject reads the existing object's VersionId and checksum (a redelivery's
   * body may differ from the first: tags and labels are read again, so a local hash would not do).
   */
  public async put(objectKey: string, body: VersionObject): Promise<StoredObjectRef> {
    this.counter.count('S3.PutObject');
    try {
      const response = await this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucketName,
          Key: objectKey,
          Body: JSON.stringify(body),
          ContentType: 'application/json',
          ChecksumAlgorithm: 'SHA256',
          ServerSideEncryption: 'aws:kms',
          ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
          IfNoneMatch: '*',
        }),
      );
      return objectRef(response.VersionId, response.ChecksumSHA256);
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
    this.counter.count('S3.HeadObject');
    const existing = await this.options.s3.send(
      new HeadObjectCommand({ Bucket: this.options.bucketName, Key: objectKey, ChecksumMode: 'ENABLED' }),
    );
    return objectRef(existing.VersionId, existing.ChecksumSHA256);
  }

  /**
   * Reads the values of version records, `VALUE_CONCURRENCY` at a time, each verified (see
   * `inspect`). Throws IntegrityError for the first record whose object fails verification;
   * records stored before VersionIds were recorded are read by key and listed in `unverified`.
   */
  public async readVersions(records: readonly VersionRecord[]): Promise<VersionReads> {
    const unique = [...new Map(records.map((r) => [r.objectKey, r])).values()];
    const unverified: VersionRecord[] = [];
    const read = await mapLimit(unique, VALUE_CONCURRENCY, async (record) => {
      const inspection = await this.inspect(record);
      switch (inspection.status) {
        case ObjectStatus.ok:
          break;
        case ObjectStatus.unverifiable:
          unverified.push(record);
          break;
        case ObjectStatus.undecryptable:
          throw inspection.error;
        default:
          throw new IntegrityError(record, `${inspection.status}: ${inspection.reason ?? ''}`.replace(/: $/, ''));
      }
      return inspection.stored as StoredVersion;
    });
    return { values: new Map(unique.map((r, i) => [r.objectKey, read[i] as StoredVersion])), unverified };
  }

  /**
   * Checks one stored version without throwing for what it finds: GETs the recorded VersionId with
   * `ChecksumMode: ENABLED` (S3 and the SDK check the checksum), recomputes the SHA-256 over the
   * bytes (an emulator or a proxy is not trusted to), compares it and the body's metadata with the
   * record. With `checkCurrent`, also HEADs the key: a later object over the recorded one is
   * reported as `overwritten`. Network and throttling errors are thrown.
   */
  public async inspect(record: VersionRecord, options: { checkCurrent?: boolean } = {}): Promise<ObjectInspection> {
    const exact = record.objectVersionId !== undefined && record.objectChecksum !== undefined;
    let bytes: Uint8Array;
    try {
      this.counter.count('S3.GetObject');
      const response = await this.options.s3.send(
        new GetObjectCommand({
          Bucket: this.options.bucketName,
          Key: record.objectKey,
          ...(exact ? { VersionId: record.objectVersionId, ChecksumMode: 'ENABLED' as const } : {}),
        }),
      );
      bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) {
        return {
          status: ObjectStatus.missing,
          reason: exact ? 'no object at the recorded VersionId' : 'no object at its key',
        };
      }
      if (isSdkChecksumFailure(error)) {
        return { status: ObjectStatus.checksumMismatch, reason: "the bytes do not match S3's checksum" };
      }
      if (error instanceof Error && (error.name.startsWith('KMS.') || httpStatus(error) === 403)) {
        return { status: ObjectStatus.undecryptable, reason: error.name, error };
      }
      throw error;
    }
    if (exact && sha256Base64(bytes) !== record.objectChecksum) {
      return { status: ObjectStatus.checksumMismatch, reason: 'SHA-256 of the object differs from the index' };
    }
    const body = parseBody(bytes);
    const stored = body ? parseStored(body) : undefined;
    if (!body || !stored) {
      return { status: ObjectStatus.metadataMismatch, reason: 'the object is not a stored version (no JSON Value)' };
    }
    const mismatched = metadataMismatches(record, body);
    if (mismatched.length > 0) {
      return {
        status: ObjectStatus.metadataMismatch,
        reason: `the object's ${mismatched.join(', ')} differ from the index`,
      };
    }
    if (!exact)
      return {
        status: ObjectStatus.unverifiable,
        reason: 'stored before VersionIds and checksums were recorded',
        stored,
      };
    if (options.checkCurrent) {
      const current = await this.currentVersionId(record.objectKey);
      if (current !== record.objectVersionId) {
        const reason = current
          ? 'a later object was written over the recorded version'
          : 'a delete marker hides the recorded version';
        return { status: ObjectStatus.overwritten, reason, stored };
      }
    }
    return { status: ObjectStatus.ok, stored };
  }

  /** The VersionId of the key's current object; undefined when a delete marker (or nothing) is current. */
  private async currentVersionId(objectKey: string): Promise<string | undefined> {
    this.counter.count('S3.HeadObject');
    try {
      const current = await this.options.s3.send(
        new HeadObjectCommand({ Bucket: this.options.bucketName, Key: objectKey }),
      );
      return current.VersionId;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

function objectRef(versionId: string | undefined, checksum: string | undefined): StoredObjectRef {
  // Both or neither: a record with one of them could not be verified anyway.
  return versionId && checksum ? { objectVersionId: versionId, objectChecksum: checksum } : {};
}
