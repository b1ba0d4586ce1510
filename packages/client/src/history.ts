import { orderHistory, parseSelector } from '@ssmhub/core';
import type { HistoryEntry } from '@ssmhub/core';
import { InvalidInputError } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import { resolveLocation } from './locations.js';
import type { Location } from './locations.js';
import { toOutputRecord } from './records.js';
import type { OutputRecord } from './records.js';
import { coverageWarnings } from './answerNotes.js';
import { readStoredVersions, unverifiedWarning } from './values.js';

export interface HistoryOptions {
  /** The parameter's full name (a key, like `/app/db/url`). */
  readonly name: string;
  readonly account: string;
  /** @default - the account's only indexed region, else the hub's region */
  readonly region?: string;
  /** Read each version's value from the backup bucket. @default false */
  readonly values?: boolean;
  /** Only records from this moment (ISO 8601, inclusive). @default - the first */
  readonly since?: string;
  /** Only records up to this moment (ISO 8601, inclusive). @default - now */
  readonly until?: string;
  /** Only the `limit` most recent records (of those in the range). @default - all */
  readonly limit?: number;
}

export interface HistoryResult {
  readonly location: Location;
  /** Every version, deletion and label change, oldest first. */
  readonly records: OutputRecord[];
  readonly stats: RequestCost;
  /** One line each for stderr: `since` is before the hub's coverage, values could not be verified. */
  readonly warnings: string[];
  /** Why records may be missing: `since` is before the hub's coverage of the location (--strict exits 1). */
  readonly coverageWarnings: string[];
}

/** Every record of one name in one location, in the order SSM went through them (labels after what they label). */
export async function readNameRecords(
  hub: HubConnection,
  stats: RequestCounter,
  location: Location,
  name: string,
): Promise<HistoryEntry[]> {
  return orderHistory(await hub.index(stats).records.ofName({ ...location, name }));
}

/**
 * Every version and deletion of one parameter (and its label changes), oldest first.
 *
 * @example
 * const { records } = await history(hub, { name: '/app/db/url', account: '111122223333' });
 * records.map((r) => `${r.time} ${r.operation} v${r.version}`);
 */
export async function history(hub: HubConnection, options: HistoryOptions): Promise<HistoryResult> {
  const selector = parseSelector(options.name, false);
  if (selector.kind !== 'key') {
    throw new InvalidInputError(`'${options.name}' is a path: history takes one parameter's name (no trailing '/')`);
  }
  const stats = new RequestCounter();
  const location = await resolveLocation(hub, stats, options.account, options.region);
  // SSM's length limit counts the ARN, so the region known now decides the longest name exactly.
  parseSelector(options.name, false, location.region);
  const [named, gaps] = await Promise.all([
    readNameRecords(hub, stats, location, selector.name),
    options.since === undefined ? [] : coverageWarnings(hub, stats, location, [options.since]),
  ]);
  const inRange = named.filter(
    ({ record }) =>
      (options.since === undefined || record.time >= options.since) &&
      (options.until === undefined || record.time <= options.until),
  );
  // Narrowed before any value is read: --limit 5 reads five values, not the whole history's.
  const entries = options.limit === undefined ? inRange : inRange.slice(-options.limit);
  const records = entries.map(({ record, context }) => toOutputRecord(record, context));
  const warnings: string[] = [...gaps];
  if (options.values) {
    const versions = entries.flatMap(({ record }) => (record.kind === 'version' ? [record] : []));
    const { values, unverified } = await readStoredVersions(hub, stats, versions);
    entries.forEach(({ record }, i) => {
      const target = records[i];
      if (record.kind === 'version' && target) target.value = values.get(record.objectKey)?.value;
    });
    warnings.push(...unverifiedWarning(unverified));
  }
  return { location, records, stats: stats.snapshot(), warnings, coverageWarnings: gaps };
}
