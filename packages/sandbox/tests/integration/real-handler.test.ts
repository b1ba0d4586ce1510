import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { IndexPartitions } from '@ssmhub/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../src/testing.js';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: ['eu-west-1'] });
});
afterAll(() => sandbox?.stop());

describe('pump with the real ingest handler (@ssmhub/hub)', () => {
  it('indexes a member change and stores its value in the bucket, never in the index', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    await sandbox.store.put(account, 'eu-west-1', {
      name: '/svc/token',
      value: 'plaintext-value-42',
      type: 'SecureString',
    });
    await sandbox.store.put(account, 'eu-west-1', { name: '/svc/token', value: 'plaintext-value-43', overwrite: true });
    const report = await sandbox.pump();
    expect(report).toMatchObject({ forwarded: 2, failedDeliveries: 0, deadLettered: 0, drained: true });
    expect(report.delivered).toBe(2);

    // Every raw item of the table (records, catalog, registry): no value may be in any of them.
    const { Items = [] } = await sandbox.clients.ddb.send(new ScanCommand({ TableName: sandbox.info.table }));
    const versions = Items.filter(
      (item) =>
        item.kind === 'version' &&
        item.name === '/svc/token' &&
        item.pk === IndexPartitions.ofLocation(account, 'eu-west-1'),
    );
    expect(versions.map((item) => item.version).sort()).toEqual([1, 2]);
    expect(JSON.stringify(Items)).not.toContain('plaintext-value');

    const objects = await sandbox.clients.s3.send(new ListObjectVersionsCommand({ Bucket: sandbox.info.bucket }));
    expect((objects.Versions ?? []).length).toBeGreaterThanOrEqual(2);
  });
});
