import { InMemoryIndex } from '@ssmhub/store/testing';
import { describeIndexContract } from '../helpers/indexContract.js';

// The contract every Index keeps; test/integration/indexContract.test.ts holds IndexTable to it.
describeIndexContract(
  'InMemoryIndex',
  () => new InMemoryIndex(),
  async (index, data) => void (index as InMemoryIndex).seed(data),
);
