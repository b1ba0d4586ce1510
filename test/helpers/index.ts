import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { vi } from 'vitest';

/** Every record the index holds for one account and region, in sort-key order. */
export { readIndexRecords as indexRecords } from '@ssmhub/sandbox/testing';

/** The whole table, items as stored (for byte-for-byte comparisons). */
export async function scanTable(ddb: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => (`${String(a.pk)}|${String(a.sk)}` < `${String(b.pk)}|${String(b.sk)}` ? -1 : 1));
}

/** The JSON object stored in S3 for one version. */
export async function versionObject(s3: S3Client, bucket: string, key: string): Promise<Record<string, unknown>> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await (object.Body?.transformToString() ?? Promise.resolve('{}'))) as Record<string, unknown>;
}

/** Captures everything written to stdout and stderr until `restore()`. */
export function captureOutput(): { lines: () => string; restore: () => void } {
  const chunks: string[] = [];
  const capture = (chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    lines: () => chunks.join(''),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
