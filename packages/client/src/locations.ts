import { InvalidInputError, isAccountId, isRegion } from '@ssmhub/core';
import type { Location, RegistryEntry, RequestCounter } from '@ssmhub/store';
import { UnknownAccountError } from './errors.js';
import type { HubConnection } from './hub.js';

export type { Location } from '@ssmhub/store';

/** Throws InvalidInputError unless `account` is a 12-digit account id. */
export function checkAccount(account: string): void {
  if (!isAccountId(account)) throw new InvalidInputError(`'${account}' is not an AWS account id (12 digits)`);
}

/** Throws InvalidInputError unless `region` looks like an AWS region. */
export function checkRegion(region: string): void {
  if (!isRegion(region)) throw new InvalidInputError(`'${region}' is not an AWS region (like eu-west-1)`);
}

/** Every account and region the hub has seen (optionally one account's). */
export async function readRegistry(
  hub: HubConnection,
  stats: RequestCounter,
  account?: string,
): Promise<RegistryEntry[]> {
  return hub.index(stats).registry.list(account);
}

/**
 * The location a command reads: `account` must be known to the hub; `region` defaults to the
 * account's only region, else the hub's region.
 */
export async function resolveLocation(
  hub: HubConnection,
  stats: RequestCounter,
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
