import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IndexAttributes, REGISTRY_PARTITION, registryKey, type RegistryEntry } from '@ssmhub/core';

/** What one finished sweep of an account and region writes into its registry entry. */
export interface SweepStatus {
  readonly account: string;
  readonly region: string;
  /** ISO time the sweep finished. */
  readonly finishedAt: string;
  /** Parameters SSM listed. */
  readonly parameters: number;
  /** Records the sweep added (versions, tombstones, labels). */
  readonly repaired: number;
  /** Set `baselineAt` (only if not set yet): the sweep covered every parameter. */
  readonly baseline: boolean;
}

/** Reads the registry entry of one account and region; undefined when the hub never saw it. */
export async function readRegistryEntry(
  documents: DynamoDBDocumentClient,
  tableName: string,
  account: string,
  region: string,
): Promise<RegistryEntry | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: registryKey(account, region), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return {
    account,
    region,
    lastEventAt: optionalString(Item.lastEventAt),
    lastSweepAt: optionalString(Item.lastSweepAt),
    lastSweepParameters: optionalNumber(Item.lastSweepParameters),
    lastSweepRepaired: optionalNumber(Item.lastSweepRepaired),
    baselineAt: optionalString(Item.baselineAt),
  };
}

/**
 * Records a finished sweep. Never moves `lastSweepAt` backwards (two sweeps of one account and
 * region may overlap), never touches `lastEventAt` (ingest owns it), and sets `baselineAt` once.
 */
export async function recordSweep(
  documents: DynamoDBDocumentClient,
  tableName: string,
  status: SweepStatus,
): Promise<void> {
  const sets = [
    '#account = :account',
    '#region = :region',
    '#lastSweepAt = :at',
    '#parameters = :parameters',
    '#repaired = :repaired',
  ];
  const names: Record<string, string> = {
    '#account': 'account',
    '#region': 'region',
    '#lastSweepAt': 'lastSweepAt',
    '#parameters': 'lastSweepParameters',
    '#repaired': 'lastSweepRepaired',
  };
  if (status.baseline) {
    sets.push('#baselineAt = if_not_exists(#baselineAt, :at)');
    names['#baselineAt'] = 'baselineAt';
  }
  try {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: registryKey(status.account, status.region),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#lastSweepAt) OR #lastSweepAt < :at',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':account': status.account,
          ':region': status.region,
          ':at': status.finishedAt,
          ':parameters': status.parameters,
          ':repaired': status.repaired,
        },
      }),
    );
  } catch (error) {
    // A later sweep already recorded itself: its figures are the newer ones.
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
    throw error;
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Every registry entry (one per account and region the hub has seen or swept). */
export async function listRegistry(documents: DynamoDBDocumentClient, tableName: string): Promise<RegistryEntry[]> {
  const entries: RegistryEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': IndexAttributes.partitionKey },
        ExpressionAttributeValues: { ':pk': REGISTRY_PARTITION },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item.account !== 'string' || typeof item.region !== 'string') continue;
      entries.push({
        account: item.account,
        region: item.region,
        lastEventAt: optionalString(item.lastEventAt),
        lastSweepAt: optionalString(item.lastSweepAt),
        lastSweepParameters: optionalNumber(item.lastSweepParameters),
        lastSweepRepaired: optionalNumber(item.lastSweepRepaired),
        baselineAt: optionalString(item.baselineAt),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
}
