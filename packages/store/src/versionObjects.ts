import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapLimit, type ParameterLocation, type VersionRecord } from '@ssmhub/core';
import { RequestCounter } from './counter.js';
import { BackupBucketNotFoundError, IntegrityError, ObjectAccessDeniedError } from './errors.js';
import { versionObjectKey } from './keys.js';

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
  /** KMS refused the GET's decryption (the key disabled, or no kms:Decrypt): the value cannot be read back. */
  undecryptable: 'undecryptable',
  /**
   * S3 refused the read with 403, not for KMS: the object is missing or this caller may not read
   * it. S3 answers 403 for a missing key to a caller without s3:ListBucket (ssmhub's roles have
   * none), so the two cannot be told apart: missing or not readable, never proof of tampering.
   */
  accessDenied: 'access-denied',
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
  /** The error a failed GET ended with (undecryptable, access-denied). */
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
  /**
   * A keyed MAC (base64) of a text: the hub's derived digest key (`VersionInsight.contentMac`).
   * Each object then carries the MAC of its version's identity and value (CONTENT_MAC_METADATA),
   * which nobody without the key can test guesses of the value against.
   * @default - the unkeyed SHA-256 (CONTENT_SHA256_METADATA), for a hub without a digest key
   */
  readonly contentMac?: (text: string) => Promise<string>;
}

/** SHA-256 of `bytes`, base64: the form S3 reports as ChecksumSHA256. */
export function sha256Base64(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/**
 * The user metadata (x-amz-meta-…) of a version object written without a digest key, and of every
 * object written before CONTENT_MAC_METADATA: the unkeyed `contentSha256`.
 */
export const CONTENT_SHA256_METADATA = 'ssmhub-content-sha256';

/** The user metadata a version object carries its keyed `contentIdentity` MAC in. */
export const CONTENT_MAC_METADATA = 'ssmhub-content-mac';

/**
 * The body field of random bytes every object carries, so that S3's ChecksumSHA256 of its bytes,
 * which HeadObject shows without kms:Decrypt, cannot be tested against guesses of the value.
 */
export const SALT_FIELD = 'ssmhubSalt';

/**
 * What makes a stored version that version: where it lives, its name, number, time, type and
 * value; not its tags, labels, description or salt, which a later write of the same version
 * changes. Hashed, never stored: it holds the value.
 */
export function contentIdentity(body: VersionObject): string {
  return JSON.stringify([
    body.account,
    body.region,
    body.Name,
    body.Version,
    body.LastModifiedDate,
    body.Type ?? 'String',
    body.Value,
  ]);
}

/**
 * SHA-256 (base64) of `contentIdentity`: unkeyed, so whoever may HeadObject can test guesses of
 * the value against it. Written only by a hub without a digest key; accepted from older objects.
 */
export function contentSha256(body: VersionObject): string {
  return sha256Base64(contentIdentity(body));
}

/**
 * The record's fields the object's body disagrees with (names only): name, version, time, type,
 * account and region must be the record's, or the index points at another version's object.
 */
export function metadataMismatches(record: VersionRecord, body: Record<string, unknown>): string[] {
  const expected: [string, unknown, unknown][] = [
    ['Name', record.name, body.Name],
    ['Version', record.version, body.Version],
    // A version the sweep recorded again after a wrong deletion keeps SSM's time in `modifiedAt`.
    ['LastModifiedDate', record.modifiedAt ?? record.time, body.LastModifiedDate],
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

/**
 * A KMS failure S3 relays that passes on its own (throttling, KMS's own trouble): thrown, so the
 * caller retries it, never reported as a value that cannot be decrypted.
 */
function isTransientKmsError(error: Error): boolean {
  return /^KMS\.(ThrottlingException|KMSInternalException|DependencyTimeoutException)$/.test(error.name);
}

/**
 * S3 could not decrypt because KMS refused (the caller lacks kms:Decrypt, the key is disabled or
 * pending deletion): S3 says so by a KMS error code, or in a 403 that names a kms: action.
 */
function isKmsRefusal(error: Error): boolean {
  return error.name.startsWith('KMS.') || (httpStatus(error) === 403 && /\bkms:/i.test(error.message));
}

function isAccessDenied(error: unknown): error is Error {
  return error instanceof Error && httpStatus(error) === 403;
}

/** What a 403 on a recorded object means and how to fix it (names the object, never a value). */
function accessDeniedReason(bucket: string, objectKey: string, what = ''): string {
  return (
    `access denied reading ${what}${bucket}/${objectKey}: the object is missing or this role may not read it ` +
    `(S3 answers 403 for a missing object to a caller without s3:ListBucket); ` +
    `the role needs s3:GetObject and s3:GetObjectVersion on ${bucket}/*`
  );
}

/** S3's answer for a bucket that is not there (a 404 too, so it is told apart from a missing object first). */
function isMissingBucket(error: unknown): boolean {
  return error instanceof Error && error.name === 'NoSuchBucket';
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
   * The object key a version is stored under (what its record's `objectKey` holds): one prefix per
   * parameter, one object per version.
   *
   * @example
   * VersionObjects.keyOf({ account: '111122223333', region: 'eu-west-1', name: '/app/db' }, '2026-11-21T10:00:00.000Z', 3);
   */
  public static keyOf(location: ParameterLocation, time: string, version: number): string {
    return versionObjectKey(location, time, version);
  }

  /**
   * Writes one version's object and says where S3 put it (VersionId and SHA-256, from the
   * PutObject response: no extra request). The body gets 16 random bytes (SALT_FIELD) and the
   * object the keyed MAC of the version's identity and value as metadata: neither S3's checksum
   * nor the metadata, which HeadObject shows without kms:Decrypt, can be tested against guesses
   * of the value. The key is derived from the version, so a second write carries the same
   * version; `If-None-Match` makes S3 refuse it instead of storing a duplicate, and then one
   * HeadObject reads the existing object's VersionId, checksum and metadata.
   *
   * The existing object is accepted only when it holds this version: its content MAC is this
   * version's (tags, labels and salt may differ), or, for an object written before, its unkeyed
   * `ssmhub-content-sha256` or the SHA-256 of its unsalted bytes is. Anything else (another
   * value, or an object without that metadata whose bytes differ) throws IntegrityError naming
   * the key and version, never the value: an object written at the key by someone else is an
   * integrity failure, not the backup.
   */
  public async put(objectKey: string, body: VersionObject): Promise<StoredObjectRef> {
    const identity = contentIdentity(body);
    const contentMac = this.options.contentMac;
    const mac = contentMac ? await contentMac(identity) : undefined;
    const bytes = JSON.stringify({ ...body, [SALT_FIELD]: randomBytes(16).toString('base64') });
    this.counter.count('S3.PutObject');
    try {
      const response = await this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucketName,
          Key: objectKey,
          Body: bytes,
          ContentType: 'application/json',
          ChecksumAlgorithm: 'SHA256',
          Metadata: mac ? { [CONTENT_MAC_METADATA]: mac } : { [CONTENT_SHA256_METADATA]: contentSha256(body) },
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
    // The same version: by its keyed MAC, by the unkeyed SHA-256 of an object written without a
    // key, or by the bytes of one written before either (unsalted: the body as given).
    const metadata = existing.Metadata ?? {};
    const sameVersion =
      (mac !== undefined && metadata[CONTENT_MAC_METADATA] === mac) ||
      metadata[CONTENT_SHA256_METADATA] === sha256Base64(identity) ||
      (existing.ChecksumSHA256 !== undefined && existing.ChecksumSHA256 === sha256Base64(JSON.stringify(body)));
    if (!sameVersion)
      throw new IntegrityError(
        { account: body.account, region: body.region, name: body.Name, version: body.Version },
        `the object already at ${this.options.bucketName}/${objectKey} holds other content than this version ` +
          `(neither its content MAC nor its SHA-256 is the new write's): not accepted as the backup`,
      );
    return objectRef(existing.VersionId, existing.ChecksumSHA256);
  }

  /**
   * Reads the values of version records, `VALUE_CONCURRENCY` at a time, each verified (see
   * `inspect`). Throws IntegrityError for the first record whose object fails verification,
   * ObjectAccessDeniedError for one S3 refuses with 403 (missing or not readable: S3 does not say
   * which), and KMS's own error for one it cannot decrypt; records stored before VersionIds were
   * recorded are read by key and listed in `unverified`.
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
        case ObjectStatus.accessDenied:
          throw new ObjectAccessDeniedError(record, inspection.reason ?? '');
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
   * reported as `overwritten`. A 403 that is not KMS's is `access-denied` (missing or not
   * readable), never `missing`. Network and throttling errors (KMS's included) are thrown, and so
   * is BackupBucketNotFoundError when the bucket itself does not exist.
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
      if (isMissingBucket(error)) {
        throw new BackupBucketNotFoundError(this.options.bucketName, await this.options.s3.config.region());
      }
      if (isMissing(error)) {
        return {
          status: ObjectStatus.missing,
          reason: exact ? 'no object at the recorded VersionId' : 'no object at its key',
        };
      }
      if (isSdkChecksumFailure(error)) {
        return { status: ObjectStatus.checksumMismatch, reason: "the bytes do not match S3's checksum" };
      }
      if (error instanceof Error && isTransientKmsError(error)) throw error;
      if (error instanceof Error && isKmsRefusal(error)) {
        return { status: ObjectStatus.undecryptable, reason: error.name, error };
      }
      if (isAccessDenied(error)) {
        return {
          status: ObjectStatus.accessDenied,
          reason: accessDeniedReason(this.options.bucketName, record.objectKey),
          error,
        };
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
      let current: string | undefined;
      try {
        current = await this.currentVersionId(record.objectKey);
      } catch (error) {
        // The recorded version was read, so this 403 is a delete marker over it (403 to a caller
        // without s3:ListBucket, like a missing object) or a role without s3:GetObject.
        if (!isAccessDenied(error)) throw error;
        const reason = accessDeniedReason(this.options.bucketName, record.objectKey, 'the current version of ');
        return { status: ObjectStatus.accessDenied, reason, stored, error };
      }
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
