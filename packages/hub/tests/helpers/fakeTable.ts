import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * Just enough of DynamoDB behind a mocked document client for the ingest's record writes and
 * range reads: conditional puts and `BETWEEN` / `=` key conditions. Updates are recorded.
 */
export class FakeTable {
  public readonly items = new Map<string, Item>();
  public readonly updates: Item[] = [];

  public install(mock: AwsClientStub<DynamoDBDocumentClient>): void {
    mock.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      const key = `${String(input.Item.pk)}|${String(input.Item.sk)}`;
      if (input.ConditionExpression && this.items.has(key)) {
        throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      }
      this.items.set(key, input.Item);
      return {};
    });
    mock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const values = input.ExpressionAttributeValues;
      const rows = [...this.items.values()].filter((item) => {
        if (item.pk !== values[':pk']) return false;
        const sk = String(item.sk);
        if (values[':sk'] !== undefined) return sk === values[':sk'];
        return sk >= String(values[':from']) && sk <= String(values[':to']);
      });
      return { Items: rows.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1)) };
    });
    mock.on(UpdateCommand).callsFake((input: Item) => {
      this.updates.push(input);
      // Records change in one way only: a deletion learns the re-creation it came before.
      const key = input.Key as Item;
      const item = this.items.get(`${String(key.pk)}|${String(key.sk)}`);
      const values = input.ExpressionAttributeValues as Item;
      if (item && String(item.sk).startsWith('R#') && values[':precedes'] !== undefined) {
        if (item.precedes !== undefined) throw new ConditionalCheckFailedException({ message: 'set', $metadata: {} });
        item.precedes = values[':precedes'];
      }
      return {};
    });
  }

  public records(): Item[] {
    return [...this.items.values()].filter((item) => String(item.sk).startsWith('R#'));
  }
}
