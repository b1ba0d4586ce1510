import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { VersionRecord } from '@ssmhub/core';
import { ACCOUNT, REGION, versionRecord } from '@ssmhub/core/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupBucketNotFoundError, IntegrityError, ObjectAccessDeniedError } from '../../src/errors.js';
import { createHmac } from 'node:crypto';
import {
  CONTENT_MAC_METADATA,
  CONTENT_SHA256_METADATA,
  ObjectStatus,
  SALT_FIELD,
  VersionObjects,
  contentIdentity,
  contentSha256,
  sha256Base64,
} from '../../src/versionObjects.js';

const s3Client = new S3Client({ region: 'eu-west-1' });
const s3 = mockClient(s3Client);
afterEach(() => s3.reset());

const SECRET = 'the-secret-value';
type HeadAnswer = { VersionId: string; ChecksumSHA256?: string; Metadata?: Record<string, string> };
const objects = (): VersionObjects => new VersionObjects({ s3: s3Client, bucketName: 'backup' });
/** A MAC under a key only the hub holds (the derived digest key in the hub). */
const mac = async (text: string): Promise<string> => createHmac('sha256', 'hub-only-key').update(text).digest('base64');
const keyedObjects = (): VersionObjects => new VersionObjects({ s3: s3Client, bucketName: 'backup', contentMac: mac });

/** The bytes ingest stores for `record` with `value`. */
function storedBytes(record: VersionRecord, value: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    account: record.account,
    region: record.region,
    Name: record.name,
    Version: record.version,
    LastModifiedDate: record.time,
    Type: record.type,
    Value: value,
    ...overrides,
  });
}

/** `record` as ingest indexes it once its object is stored with `bytes`. */
function recorded(record: VersionRecord, bytes: string): VersionRecord {
  return { ...record, objectVersionId: 'v-1', objectChecksum: sha256Base64(bytes) };
}

function answer(bytes: string): { Body: never } {
  return { Body: { transformToByteArray: async () => new TextEncoder().encode(bytes) } as never };
}

function s3Error(name: string, status: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });
}

/** S3's 403 for an object the caller may not read, or (without s3:ListBucket) one that is not there. */
const accessDenied = () => s3Error('AccessDenied', 403, `Access Denied (request echoing ${SECRET})`);

describe('VersionObjects', () => {
  const location = { account: ACCOUNT, region: REGION, name: '/app/db/password' };
  const time = '2026-01-01T00:00:03.000Z';
  const record = versionRecord(location.name, 3, time, { objectKey: VersionObjects.keyOf(location, time, 3) });

  it('puts with a SHA-256 checksum and If-None-Match, and returns the VersionId and checksum S3 answered', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-1', ChecksumSHA256: 'abc=' });
    const stored = await objects().put(record.objectKey, JSON.parse(storedBytes(record, SECRET)));
    expect(stored).toEqual({ objectVersionId: 'v-1', objectChecksum: 'abc=' });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      ChecksumAlgorithm: 'SHA256',
      IfNoneMatch: '*',
    });
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('a refused second put (412) reads the existing object once with HeadObject, and takes it when its bytes are the same', async () => {
    const bytes = storedBytes(record, SECRET);
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v-0', ChecksumSHA256: sha256Base64(bytes) });
    const stored = await objects().put(record.objectKey, JSON.parse(bytes));
    expect(stored).toEqual({ objectVersionId: 'v-0', objectChecksum: sha256Base64(bytes) });
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({ ChecksumMode: 'ENABLED' });
  });

  it('without the hub key, writes the SHA-256 of the version’s identity and value as metadata, the same when only tags differ', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-1', ChecksumSHA256: 'abc=' });
    const body = JSON.parse(storedBytes(record, SECRET));
    await objects().put(record.objectKey, body);
    const metadata = s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Metadata;
    expect(metadata).toEqual({ [CONTENT_SHA256_METADATA]: contentSha256(body) });
    expect(contentSha256({ ...body, Tags: [{ Key: 'team', Value: 'x' }], Labels: ['prod'] })).toBe(contentSha256(body));
    expect(contentSha256({ ...body, Value: 'other' })).not.toBe(contentSha256(body));
    expect(JSON.stringify(metadata)).not.toContain(SECRET);
  });

  it('with the hub key, stores nothing HeadObject shows that a guess of the value can be tested against', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-1', ChecksumSHA256: 'abc=' });
    const body = JSON.parse(storedBytes(record, 'true'));
    await keyedObjects().put(record.objectKey, body);
    await keyedObjects().put(record.objectKey, body);
    const [first, second] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    // The metadata is the keyed MAC, the same for the same version; no unkeyed hash of the value.
    expect(first?.Metadata).toEqual({ [CONTENT_MAC_METADATA]: await mac(contentIdentity(body)) });
    expect(second?.Metadata).toEqual(first?.Metadata);
    // Each write's bytes carry 16 random bytes: S3's SHA-256 of them is no hash of a guessable text.
    const [bytes, again] = [first, second].map((input) => String(input?.Body));
    expect(bytes).not.toBe(again);
    const salt = (JSON.parse(bytes ?? '{}') as Record<string, string>)[SALT_FIELD];
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    const guessable = [contentSha256(body), sha256Base64(JSON.stringify(body)), sha256Base64('true')];
    expect(guessable).not.toContain(sha256Base64(bytes ?? ''));
    expect(guessable).not.toContain(first?.Metadata?.[CONTENT_MAC_METADATA]);
  });

  it('with the hub key, on a 412 takes the same version by its MAC or an older object by its unkeyed hash, and nothing else', async () => {
    const body = JSON.parse(storedBytes(record, SECRET));
    const other = JSON.parse(storedBytes(record, 'planted-value'));
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const accepted: HeadAnswer[] = [
      {
        VersionId: 'v-0',
        ChecksumSHA256: 'salted=',
        Metadata: { [CONTENT_MAC_METADATA]: await mac(contentIdentity(body)) },
      },
      { VersionId: 'v-0', ChecksumSHA256: 'tagged=', Metadata: { [CONTENT_SHA256_METADATA]: contentSha256(body) } },
      { VersionId: 'v-0', ChecksumSHA256: sha256Base64(JSON.stringify(body)) },
    ];
    for (const head of accepted) {
      s3.on(HeadObjectCommand).resolves(head);
      await expect(keyedObjects().put(record.objectKey, body)).resolves.toMatchObject({ objectVersionId: 'v-0' });
    }
    const refused: HeadAnswer[] = [
      { VersionId: 'v-0', Metadata: { [CONTENT_MAC_METADATA]: await mac(contentIdentity(other)) } },
      // A MAC under another key: whoever wrote it does not hold the hub's.
      { VersionId: 'v-0', Metadata: { [CONTENT_MAC_METADATA]: sha256Base64(contentIdentity(body)) } },
      { VersionId: 'v-0', Metadata: { [CONTENT_SHA256_METADATA]: contentSha256(other) } },
    ];
    for (const head of refused) {
      s3.on(HeadObjectCommand).resolves(head);
      await expect(keyedObjects().put(record.objectKey, body)).rejects.toBeInstanceOf(IntegrityError);
    }
  });

  it('on a 412 takes a redelivery whose tags changed (same version: the content metadata matches)', async () => {
    const first = JSON.parse(storedBytes(record, SECRET, { Tags: [{ Key: 'team', Value: 'a' }] }));
    const redelivered = JSON.parse(storedBytes(record, SECRET, { Tags: [{ Key: 'team', Value: 'b' }] }));
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).resolves({
      VersionId: 'v-0',
      ChecksumSHA256: sha256Base64(JSON.stringify(first)),
      Metadata: { [CONTENT_SHA256_METADATA]: contentSha256(first) },
    });
    const stored = await objects().put(record.objectKey, redelivered);
    expect(stored).toEqual({ objectVersionId: 'v-0', objectChecksum: sha256Base64(JSON.stringify(first)) });
  });

  it('on a 412 refuses an existing object with other content: IntegrityError naming key and version, never a value', async () => {
    const planted = storedBytes(record, 'planted-value');
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    for (const head of [
      // Written by someone else, without ssmhub's metadata.
      { VersionId: 'v-0', ChecksumSHA256: sha256Base64(planted) },
      // With metadata claiming another value (or copied from another version).
      {
        VersionId: 'v-0',
        ChecksumSHA256: sha256Base64(planted),
        Metadata: { [CONTENT_SHA256_METADATA]: contentSha256(JSON.parse(planted)) },
      },
      // No checksum at all (written without one).
      { VersionId: 'v-0' },
    ]) {
      s3.on(HeadObjectCommand).resolves(head);
      const put = objects().put(record.objectKey, JSON.parse(storedBytes(record, SECRET)));
      await expect(put).rejects.toBeInstanceOf(IntegrityError);
      await put.catch((error: Error) => {
        expect(error.message).toContain(`backup/${record.objectKey}`);
        expect(error.message).toContain(`${record.name} version ${record.version}`);
        expect(error.message).not.toContain(SECRET);
        expect(error.message).not.toContain('planted-value');
        expect(error.message.split('\n')).toHaveLength(1);
      });
    }
  });

  it('reads the recorded VersionId with ChecksumMode ENABLED and returns the value when the SHA-256 matches', async () => {
    const bytes = storedBytes(record, SECRET);
    s3.on(GetObjectCommand).resolves(answer(bytes));
    const { values, unverified } = await objects().readVersions([recorded(record, bytes)]);
    expect(values.get(record.objectKey)?.value).toBe(SECRET);
    expect(unverified).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: record.objectKey,
      VersionId: 'v-1',
      ChecksumMode: 'ENABLED',
    });
  });

  it('refuses bytes whose SHA-256 differs from the index with one line naming the version, never the value', async () => {
    s3.on(GetObjectCommand).resolves(answer(storedBytes(record, 'tampered')));
    const read = objects().readVersions([recorded(record, storedBytes(record, SECRET))]);
    await expect(read).rejects.toBeInstanceOf(IntegrityError);
    await expect(read).rejects.toThrow(
      /^stored version failed verification: \/app\/db\/password version 3 in \d{12}\/[a-z0-9-]+: checksum-mismatch/,
    );
    await read.catch((error: Error) => {
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('tampered');
      expect(error.message.split('\n')).toHaveLength(1);
    });
  });

  it('refuses an object of another version (right checksum, wrong metadata): the index was repointed', async () => {
    const other = storedBytes(record, SECRET, { Version: 2 });
    s3.on(GetObjectCommand).resolves(answer(other));
    await expect(objects().readVersions([recorded(record, other)])).rejects.toThrow(/metadata-mismatch: .*Version/);
  });

  it('refuses a recorded VersionId S3 no longer has (missing)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchVersion', 404));
    await expect(objects().readVersions([recorded(record, 'x')])).rejects.toThrow(
      /missing: no object at the recorded VersionId/,
    );
  });

  it('names a bucket that does not exist as such, in reads and checks alike, never as a version that failed verification', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    const read = objects().readVersions([recorded(record, 'x')]);
    await expect(read).rejects.toThrow(BackupBucketNotFoundError);
    await expect(read).rejects.toThrow(/^bucket backup does not exist in eu-west-1 /);
    await expect(read).rejects.not.toThrow(/verification|missing:/);
    await expect(objects().inspect(recorded(record, 'x'))).rejects.toThrow(
      /^bucket backup does not exist in eu-west-1/,
    );
  });

  it('reads a record stored before VersionIds were recorded by key, and lists it as unverified', async () => {
    s3.on(GetObjectCommand).resolves(answer(storedBytes(record, SECRET)));
    const { values, unverified } = await objects().readVersions([record]);
    expect(values.get(record.objectKey)?.value).toBe(SECRET);
    expect(unverified).toEqual([record]);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).not.toHaveProperty('VersionId');
  });

  it('a 403 on a recorded object reads "missing or not readable" with the fix: not missing, not tampered, never the value', async () => {
    const bytes = storedBytes(record, SECRET);
    s3.on(GetObjectCommand).rejects(accessDenied());
    const inspection = await objects().inspect(recorded(record, bytes), { checkCurrent: true });
    expect(inspection.status).toBe(ObjectStatus.accessDenied);
    expect(inspection.reason).toBe(
      `access denied reading backup/${record.objectKey}: the object is missing or this role may not read it ` +
        '(S3 answers 403 for a missing object to a caller without s3:ListBucket); ' +
        'the role needs s3:GetObject and s3:GetObjectVersion on backup/*',
    );
    const read = objects().readVersions([recorded(record, bytes)]);
    await expect(read).rejects.toBeInstanceOf(ObjectAccessDeniedError);
    await read.catch((error: Error) => {
      expect(error).not.toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(
        /^access denied reading backup\/parameters\/.*\(\/app\/db\/password version 3 in \d{12}\/[a-z0-9-]+\)$/,
      );
      expect(error.message).not.toMatch(/tamper|failed verification/i);
      expect(error.message).not.toContain(SECRET);
      expect(error.message.split('\n')).toHaveLength(1);
    });
  });

  it('a 403 that names kms: is KMS refusing the decryption (undecryptable); KMS throttling relayed by S3 is thrown to be retried', async () => {
    const bytes = storedBytes(record, SECRET);
    s3.on(GetObjectCommand).rejects(
      s3Error('AccessDenied', 403, 'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: kms:Decrypt'),
    );
    expect(await objects().inspect(recorded(record, bytes))).toMatchObject({ status: ObjectStatus.undecryptable });
    s3.on(GetObjectCommand).rejects(s3Error('KMS.ThrottlingException', 400));
    await expect(objects().inspect(recorded(record, bytes))).rejects.toThrow('KMS.ThrottlingException');
    s3.on(GetObjectCommand).rejects(
      s3Error('SlowDown', 503, 'Please reduce your request rate for operations involving AWS KMS'),
    );
    await expect(objects().inspect(recorded(record, bytes))).rejects.toThrow(/reduce your request rate/);
  });

  it('a 403 on the current version after the recorded one was read is access-denied, not overwritten', async () => {
    const bytes = storedBytes(record, SECRET);
    s3.on(GetObjectCommand).resolves(answer(bytes));
    s3.on(HeadObjectCommand).rejects(accessDenied());
    const inspection = await objects().inspect(recorded(record, bytes), { checkCurrent: true });
    expect(inspection).toMatchObject({ status: ObjectStatus.accessDenied, stored: { value: SECRET } });
    expect(inspection.reason).toMatch(/^access denied reading the current version of backup\/parameters\//);
    expect(inspection.reason).not.toContain(SECRET);
    // Without checkCurrent nothing but the recorded version is read.
    expect(await objects().inspect(recorded(record, bytes))).toMatchObject({ status: ObjectStatus.ok });
  });

  it('inspect reports undecryptable, and overwritten when a later object is current', async () => {
    const bytes = storedBytes(record, SECRET);
    s3.on(GetObjectCommand).rejectsOnce(s3Error('KMS.DisabledException', 400)).resolves(answer(bytes));
    expect(await objects().inspect(recorded(record, bytes))).toMatchObject({
      status: ObjectStatus.undecryptable,
      reason: 'KMS.DisabledException',
    });
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v-2' });
    expect(await objects().inspect(recorded(record, bytes), { checkCurrent: true })).toMatchObject({
      status: ObjectStatus.overwritten,
    });
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v-1' });
    expect(await objects().inspect(recorded(record, bytes), { checkCurrent: true })).toMatchObject({
      status: ObjectStatus.ok,
    });
  });
});
