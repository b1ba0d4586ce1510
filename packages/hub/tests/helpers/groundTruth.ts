import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterHistoryCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { IndexRecord } from '@ssmhub/core';

/** Every record of one location in the index, oldest first per name. */
export { readIndexRecords as indexRecords } from '@ssmhub/sandbox/testing';

/** `name@version@time` of every version record: what the index holds of SSM's versions. */
export function versionKeys(records: readonly IndexRecord[]): string[] {
  return records
    .filter((r) => r.kind === 'version')
    .map((r) => `${r.name}@${r.kind === 'version' ? r.version : 0}@${r.time}`)
    .sort();
}

/** The same keys, read from SSM itself: every version of every parameter it still has. */
export async function ssmVersionKeys(ssm: SSMClient): Promise<{ keys: string[]; values: Map<string, string> }> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new DescribeParametersCommand({ MaxResults: 50, NextToken }));
    names.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''));
    NextToken = page.NextToken;
  } while (NextToken);
  const keys: string[] = [];
  const values = new Map<string, string>();
  for (const name of names) {
    let token: string | undefined;
    do {
      const page = await ssm.send(
        new GetParameterHistoryCommand({ Name: name, WithDecryption: true, MaxResults: 50, NextToken: token }),
      );
      for (const entry of page.Parameters ?? []) {
        const key = `${name}@${entry.Version}@${entry.LastModifiedDate?.toISOString()}`;
        keys.push(key);
        values.set(key, entry.Value ?? '');
      }
      token = page.NextToken;
    } while (token);
  }
  return { keys: keys.sort(), values };
}

/** The value stored in S3 for one version record. */
export async function storedValue(s3: S3Client, bucket: string, objectKey: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
  const body = JSON.parse(await (object.Body?.transformToString('utf8') ?? Promise.resolve('{}'))) as { Value: string };
  return body.Value;
}

/** Versions stored twice (same name and version number at the same time, or two objects for one version). */
export function duplicates(keys: readonly string[]): string[] {
  const seen = new Set<string>();
  return keys.filter((key) => (seen.has(key) ? true : (seen.add(key), false)));
}
