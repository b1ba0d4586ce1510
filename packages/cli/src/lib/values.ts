import type { StoredVersion } from '@ssmhub/store';
import type { Hub } from './hub.js';
import type { RequestStats } from './stats.js';

/**
 * Reads stored versions from the backup bucket.
 *
 * @returns the stored versions by object key
 */
export async function readStoredVersions(
  hub: Hub,
  stats: RequestStats,
  objectKeys: readonly string[],
): Promise<Map<string, StoredVersion>> {
  return (await hub.versionObjects(stats)).readMany(objectKeys);
}
