// `@ssmhub/client/testing`: what the benchmarks and tests of a connected hub need and the library does not offer.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seedIndex, type IndexSeed } from '@ssmhub/store/testing';
import type { HubConnection } from './hub.js';

/**
 * Writes `data` straight into the connected hub's index (a benchmark's or a test's history), with a
 * client of its own: the connection hands out no raw clients.
 */
export async function seedHubIndex(hub: HubConnection, data: IndexSeed): Promise<void> {
  const client = new DynamoDBClient(hub.clientConfig(hub.region, 'dynamodb'));
  try {
    await seedIndex(
      {
        documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
        tableName: hub.table,
      },
      data,
    );
  } finally {
    client.destroy();
  }
}
