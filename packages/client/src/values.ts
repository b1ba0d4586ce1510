import type { VersionRecord } from '@ssmhub/core';
import type { RequestCounter, VersionReads } from '@ssmhub/store';
import type { HubConnection } from './hub.js';

/**
 * Reads the values of version records from the backup bucket, each at its recorded VersionId and
 * checked against its recorded SHA-256 (VersionObjects.readVersions). Throws IntegrityError (exit 1,
 * one line naming the parameter and version) when a stored object fails verification.
 *
 * @returns the stored versions by object key, and the records read unverified (stored before
 * VersionIds and checksums were recorded)
 */
export async function readStoredVersions(
  hub: HubConnection,
  stats: RequestCounter,
  records: readonly VersionRecord[],
): Promise<VersionReads> {
  return (await hub.versionObjects(stats)).readVersions(records);
}

/** The warning a command prints when it read values it could not verify (never silent). */
export function unverifiedWarning(unverified: readonly VersionRecord[]): string[] {
  if (unverified.length === 0) return [];
  const first = unverified[0] as VersionRecord;
  return [
    `warning: ${unverified.length} value(s) read without verification (stored before ssmhub recorded VersionIds and checksums), e.g. ${first.name} version ${first.version}; \`ssmhub verify\` lists them as unverifiable`,
  ];
}
