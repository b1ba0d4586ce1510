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

/** A restore's intent or outcome is already in the index: restore records are append-only. */
export class RestoreRecordExistsError extends SsmHubError {}
