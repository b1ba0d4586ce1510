import { IndexAttributes, InvalidInputError, REGISTRY_PARTITION, isAccountId, isRegion } from '@ssmhub/core';
import type { RegistryEntry } from '@ssmhub/core';
import { UnknownAccountError } from '../errors.js';
import { queryAll } from './dynamo.js';
import type { Hub } from './hub.js';
import type { RequestStats } from './stats.js';

/** An account and region of the organization. */
export interface Location {
  readonly account: string;
  readonly region: string;
}

/** Throws InvalidInputError unless `account` is a 12-digit account id. */
export function checkAccount(account: string): void {
  if (!isAccountId(account)) throw new InvalidInputError(`'${account}' is not an AWS account id (12 digits)`);
}

/** Throws InvalidInputError unless `region` looks like an AWS region. */
export function checkRegion(region: string): void {
  if (!isRegion(region)) throw new InvalidInputError(`'${region}' is not an AWS region (like eu-west-1)`);
}

function toRegistryEntry(item: Record<string, unknown>): RegistryEntry {
  const [account = '', region = ''] = String(item[IndexAttributes.sortKey]).split('#');
  const text = (key: string): string | undefined => (typeof item[key] === 'string' ? (item[key] as string) : undefined);
  const num = (key: string): number | undefined => (typeof item[key] === 'number' ? (item[key] as number) : undefined);
  const entry: Record<string, unknown> = {
    account: text('account') ?? account,
    region: text('region') ?? region,
    lastEventAt: text('lastEventAt'),
    lastSweepAt: text('lastSweepAt'),
    lastSweepParameters: num('lastSweepParameters'),
    lastSweepRepaired: num('lastSweepRepaired'),
    baselineAt: text('baselineAt'),
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as RegistryEntry;
}

/** Every account and region the hub has seen (optionally one account's). */
export async function readRegistry(hub: Hub, stats: RequestStats, account?: string): Promise<RegistryEntry[]> {
  const items = await queryAll(hub, stats, {
    KeyConditionExpression: account ? '#pk = :pk AND begins_with(#sk, :account)' : '#pk = :pk',
    ExpressionAttributeNames: account
      ? { '#pk': IndexAttributes.partitionKey, '#sk': IndexAttributes.sortKey }
      : { '#pk': IndexAttributes.partitionKey },
    ExpressionAttributeValues: account
      ? { ':pk': REGISTRY_PARTITION, ':account': `${account}#` }
      : { ':pk': REGISTRY_PARTITION },
  });
  return items.map(toRegistryEntry);
}

/**
 * The location a command reads: `account` must be known to the hub; `region` defaults to the
 * account's only region, else the hub's region.
 */
export async function resolveLocation(
  hub: Hub,
  stats: RequestStats,
  account: string,
  region?: string,
): Promise<Location> {
  checkAccount(account);
  if (region) checkRegion(region);
  const entries = await readRegistry(hub, stats, account);
  if (entries.length === 0) {
    throw new UnknownAccountError(`unknown account ${account}: the hub has indexed nothing for it`);
  }
  const regions = entries.map((e) => e.region).sort();
  if (region) {
    if (!regions.includes(region)) {
      throw new UnknownAccountError(
        `account ${account} has nothing indexed in ${region} (indexed regions: ${regions.join(', ')})`,
      );
    }
    return { account, region };
  }
  if (regions.length === 1) return { account, region: regions[0] as string };
  if (regions.includes(hub.region)) return { account, region: hub.region };
  throw new InvalidInputError(
    `account ${account} is indexed in several regions (${regions.join(', ')}): pass --region`,
  );
}
