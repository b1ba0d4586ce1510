import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;

/**
 * The index table behind a mocked document client: conditional puts, the key conditions ingest
 * and reconcile use (`=`, `BETWEEN`, `begins_with`, partition only) and GetItem. Updates are
 * recorded (tests assert on them); of them, only the one that changes a record is applied: a
 * deletion learning the re-creation it came before.
 */
export class FakeIndex {
  public readonly items = new Map<string, Item>();
  public readonly updates: Item[] = [];

  public put(item: Item): void {
    this.items.set(`${String(item.pk)}|${String(item.sk)}`, item);
  }

  public install(mock: AwsClientStub<DynamoDBDocumentClient>): void {
    mock.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      const key = `${String(input.Item.pk)}|${String(input.Item.sk)}`;
      if (input.ConditionExpression && this.items.has(key)) {
        throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      }
      this.items.set(key, input.Item);
      return {};
    });
    mock.on(GetCommand).callsFake((input: { Key: Item }) => ({
      Item: this.items.get(`${String(input.Key.pk)}|${String(input.Key.sk)}`),
    }));
    mock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const values = input.ExpressionAttributeValues;
      const rows = [...this.items.values()].filter((item) => {
        if (item.pk !== values[':pk']) return false;
        const sk = String(item.sk);
        if (values[':sk'] !== undefined) return sk === values[':sk'];
        if (values[':prefix'] !== undefined) return sk.startsWith(values[':prefix']);
        if (values[':from'] !== undefined) return sk >= String(values[':from']) && sk <= String(values[':to']);
        return true;
      });
      return { Items: rows.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1)) };
    });
    mock.on(UpdateCommand).callsFake((input: Item) => {
      this.updates.push(input);
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
