import { IndexTable } from '@ssmhub/store';
import { seedIndex } from '@ssmhub/store/testing';
import { dynamoDBLocalUnavailable } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeIndexContract } from '../../packages/store/tests/helpers/indexContract.js';

// IndexTable keeps the contract InMemoryIndex is unit-tested against (packages/store/tests/unit/
// inMemoryIndex.test.ts): the same tests, on the index table of a sandbox (the emulator), and on
// AWS's own engine (DynamoDB Local) when Java and `npm run setup:dynamodb-local` are there.

function describeOn(kind: string, options: { readonly dynamoLocal: boolean }): void {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ memberCount: 1, regions: ['eu-west-1'], dynamoLocal: options.dynamoLocal });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  describeIndexContract(
    kind,
    () => new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table, consistentRead: true }),
    (_index, data) => seedIndex({ documents: sandbox.clients.ddb, tableName: sandbox.info.table }, data),
    // The emulator checks a write's condition and writes apart: two racing writes can both pass.
    { racingWriters: options.dynamoLocal },
  );
}

describe('on the emulator', () => describeOn('IndexTable', { dynamoLocal: false }));

const unavailable = dynamoDBLocalUnavailable();
describe.skipIf(unavailable !== undefined)(`on DynamoDB Local${unavailable ? ` (skipped: ${unavailable})` : ''}`, () =>
  describeOn('IndexTable on DynamoDB Local', { dynamoLocal: true }),
);
