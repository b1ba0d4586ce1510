import { InvalidInputError, parseSelector } from '@ssmhub/core';
import type { VersionRecord } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import { readNameRecords } from './history.js';
import type { HubConnection } from './hub.js';
import { resolveLocation } from './locations.js';
import type { Location } from './locations.js';
import { readStoredVersions } from './values.js';

export interface VersionValueOptions {
  /** The parameter's full name (a key). */
  readonly name: string;
  readonly account: string;
  /** @default - the account's only indexed region, else the hub's region */
  readonly region?: string;
  readonly version: number;
  /**
   * The version's time as `history` gives it: a name deleted and created again restarts at
   * version 1, so the number alone may name two versions.
   */
  readonly time: string;
}

export interface VersionValueResult {
  readonly location: Location;
  readonly name: string;
  readonly version: number;
  readonly time: string;
  readonly value: string;
  readonly stats: RequestCost;
}

/**
 * The value of one stored version, read from the backup bucket: one Query of the name's records
 * and one object read, so a caller shows a value only when someone asks for that one.
 *
 * @example
 * const { value } = await versionValue(hub, { name: '/app/db/url', account: '111122223333', version: 2, time: '2026-11-21T10:00:00.000Z' });
 */
export async function versionValue(hub: HubConnection, options: VersionValueOptions): Promise<VersionValueResult> {
  const selector = parseSelector(options.name, false);
  if (selector.kind !== 'key') {
    throw new InvalidInputError(`'${options.name}' is a path: give one parameter's name (no trailing '/')`);
  }
  const stats = new RequestCounter();
  const location = await resolveLocation(hub, stats, options.account, options.region);
  const entries = await readNameRecords(hub, stats, location, selector.name);
  const record = entries
    .map((entry) => entry.record)
    .find((r): r is VersionRecord => r.kind === 'version' && r.version === options.version && r.time === options.time);
  if (!record) {
    throw new InvalidInputError(
      `${selector.name} has no version ${options.version} at ${options.time} in ${location.account}/${location.region}`,
    );
  }
  // The verified read: the recorded VersionId, its checksum rechecked.
  const { values } = await readStoredVersions(hub, stats, [record]);
  const value = values.get(record.objectKey)?.value;
  if (value === undefined) {
    throw new InvalidInputError(`the value of ${selector.name} version ${options.version} was not captured`);
  }
  return { location, name: selector.name, version: record.version, time: record.time, value, stats: stats.snapshot() };
}
