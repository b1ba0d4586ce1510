import { IndexTable } from '@ssmhub/store';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll } from 'vitest';
import { describeIndexContract } from '../../packages/store/tests/helpers/indexContract.js';

// IndexTable keeps the contract InMemoryIndex is unit-tested against (packages/store/tests/unit/
// inMemoryIndex.test.ts): the same tests, on the index table of a sandbox.
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: ['eu-west-1'] });
});
afterAll(async () => {
  await sandbox?.stop();
});

describeIndexContract(
  'IndexTable',
  () => new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table, consistentRead: true }),
);
