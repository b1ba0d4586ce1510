import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mapLimit } from './concurrency.js';
import type { Hub } from './hub.js';
import type { RequestStats } from './stats.js';

/** S3 reads in flight at once when values are fetched. */
export const VALUE_CONCURRENCY = 16;

/** The stored object of one version: SSM's GetParameterHistory entry (tolerant of field case). */
export interface StoredVersion {
  readonly value: string;
  /** Tags, when the hub stored them with the version. */
  readonly tags?: readonly { Key: string; Value: string }[];
}

function parseStored(text: string): StoredVersion {
  const body = JSON.parse(text) as Record<string, unknown>;
  const value = body.Value ?? body.value;
  if (typeof value !== 'string') throw new Error('stored version has no value');
  const tags = body.Tags ?? body.tags;
  return { value, ...(Array.isArray(tags) ? { tags: tags as StoredVersion['tags'] } : {}) };
}

/**
 * Reads stored versions from the backup bucket, `VALUE_CONCURRENCY` at a time.
 *
 * @returns the stored versions by object key
 */
export async function readStoredVersions(
  hub: Hub,
  stats: RequestStats,
  objectKeys: readonly string[],
): Promise<Map<string, StoredVersion>> {
  const bucket = await hub.bucket();
  const unique = [...new Set(objectKeys)];
  const read = await mapLimit(unique, VALUE_CONCURRENCY, async (key) => {
    stats.s3Requests += 1;
    const response = await hub.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await response.Body?.transformToString('utf8')) ?? '';
    try {
      return parseStored(text);
    } catch {
      throw new Error(`stored version s3://${bucket}/${key} is not readable JSON with a Value`);
    }
  });
  return new Map(unique.map((key, i) => [key, read[i] as StoredVersion]));
}
