import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDBLocalUnavailable, emulatorCredentials } from '../../src/index.js';
import { readIndexRecords, startTestSandbox, type TestSandbox } from '../../src/testing.js';

// The scale benchmarks run the index on DynamoDB Local: this keeps that path from rotting, at a
// small size. It needs Java and `npm run setup:dynamodb-local`; without them it says why and skips.
const unavailable = dynamoDBLocalUnavailable();
if (unavailable) console.warn(`skipping the DynamoDB Local test: ${unavailable}`);

let sandbox: TestSandbox;

describe.skipIf(unavailable !== undefined)('the index on DynamoDB Local, the rest on the emulator', () => {
  beforeAll(async () => {
    sandbox = await startTestSandbox({ memberCount: 1, regions: ['us-east-1'], dynamoLocal: true });
  });
  afterAll(() => sandbox?.stop());

  it('ingests through the real handler into DynamoDB Local, and none of it into the emulator', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    expect(sandbox.info.dynamoEndpoint).toBe(sandbox.dynamoLocal?.endpoint);
    await sandbox.store.put(account, 'us-east-1', { name: '/scale/a', value: 'one' });
    await sandbox.store.put(account, 'us-east-1', { name: '/scale/a', value: 'two', overwrite: true });
    await sandbox.store.put(account, 'us-east-1', { name: '/scale/b', value: 'three' });
    const first = await sandbox.pump();
    await sandbox.store.delete(account, 'us-east-1', '/scale/b');
    const second = await sandbox.pump();
    for (const report of [first, second]) {
      expect(report).toMatchObject({ failedDeliveries: 0, deadLettered: 0, drained: true });
    }
    expect(first.delivered + second.delivered).toBe(4);

    const records = await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, account, 'us-east-1');
    const lifecycle = records
      .filter((record) => record.kind !== 'label')
      .map((record) => (record.kind === 'version' ? `${record.name}@${record.version}` : `${record.name} deleted`));
    // Sort-key order within a name is time order, and a deletion's time has whole seconds (it can
    // sort before a version written in its own second): compare what is there, not that order.
    expect([...lifecycle].sort()).toEqual(['/scale/a@1', '/scale/a@2', '/scale/b deleted', '/scale/b@1']);

    const emulatorDynamo = new DynamoDBClient({
      endpoint: sandbox.info.endpoint,
      region: sandbox.info.hubRegion,
      credentials: emulatorCredentials(),
    });
    try {
      await expect(emulatorDynamo.send(new DescribeTableCommand({ TableName: sandbox.info.table }))).rejects.toThrow(
        /not found|ResourceNotFound/i,
      );
    } finally {
      emulatorDynamo.destroy();
    }
  });

  it('reset gives a fresh, empty table on DynamoDB Local', async () => {
    const info = await sandbox.reset();
    const [account] = info.memberAccounts as [string];
    expect(await readIndexRecords(sandbox.clients.ddb, info.table, account, 'us-east-1')).toEqual([]);
  });
});
