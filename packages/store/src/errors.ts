import { SsmHubError } from '@ssmhub/core';

/** A version the index recorded, as an integrity failure names it (never its value). */
export interface VersionIdentity {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly version: number;
}

/**
 * A stored version whose object is not what the index recorded: missing at its VersionId, its
 * bytes not matching the recorded SHA-256, or its body describing another version. The message is
 * one line naming account, region, parameter and version, never the value.
 */
export class IntegrityError extends SsmHubError {
  public constructor(
    public readonly version: VersionIdentity,
    public readonly reason: string,
  ) {
    super(
      `stored version failed verification: ${version.name} version ${version.version} in ${version.account}/${version.region}: ${reason}`,
    );
  }
}

/**
 * S3 refused with 403 to read a stored version the index recorded: the object is missing, or the
 * caller's role may not read it (S3 does not say which to a caller without s3:ListBucket). Not an
 * integrity failure: the message names the object, the version and the permission to check, never
 * the value.
 */
export class ObjectAccessDeniedError extends SsmHubError {
  public constructor(
    public readonly version: VersionIdentity,
    reason: string,
  ) {
    super(`${reason} (${version.name} version ${version.version} in ${version.account}/${version.region})`);
  }
}

/**
 * The backup bucket does not exist where ssmhub looked (a mistyped --bucket, another region or
 * endpoint): said before any version is checked, so it never reads as a stored version that failed
 * verification.
 */
export class BackupBucketNotFoundError extends SsmHubError {
  public constructor(
    public readonly bucket: string,
    public readonly region: string,
  ) {
    super(`bucket ${bucket} does not exist in ${region} (set --bucket/SSMHUB_BUCKET and --hub-region/SSMHUB_REGION)`);
  }
}

/** A restore's intent or outcome is already in the index: restore records are append-only. */
export class RestoreRecordExistsError extends SsmHubError {}
