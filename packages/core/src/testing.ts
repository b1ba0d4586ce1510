/**
 * What ssmhub's tests share from the core, apart from its production surface
 * (`@ssmhub/core/testing`): builders of the index records the hub writes, and reference
 * resolutions the property tests check the production ones against.
 */
import { selects, type Selector } from './paths.js';
import { compareVersions, isPresence } from './presence.js';
import { orderTimeline, startsLife, stateOnTimeline } from './resolve.js';
import {
  TombstoneSource,
  type LabelRecord,
  type LifecycleRecord,
  type PresenceRecord,
  type TombstoneRecord,
  type VersionRecord,
} from './types.js';

// --- records ---------------------------------------------------------------------------------

/** The member account the builders put records in unless told otherwise. */
export const ACCOUNT = '111122223333';
/** The region the builders put records in unless told otherwise. */
export const REGION = 'eu-west-1';

export interface RecordOverrides {
  readonly account?: string;
  readonly region?: string;
}

/**
 * A stored version: `time` is SSM's LastModifiedDate, ISO 8601 UTC with milliseconds.
 *
 * @example
 * versionRecord('/app/db/url', 2, '2026-11-21T10:00:01.250Z', { type: 'SecureString' });
 */
export function versionRecord(
  name: string,
  version: number,
  time: string,
  overrides: RecordOverrides & Partial<VersionRecord> = {},
): VersionRecord {
  const location = { account: overrides.account ?? ACCOUNT, region: overrides.region ?? REGION, name };
  return {
    type: 'String',
    // Where the store keeps the object is the store's business: any key unique to the version does
    // unless the test says which.
    objectKey: `test/${location.account}/${location.region}/${encodeURIComponent(name)}/${time}_${version}`,
    ...overrides,
    ...location,
    kind: 'version',
    version,
    time,
  };
}

/** A tombstone at a deletion event's whole second. */
export function tombstoneRecord(
  name: string,
  time: string,
  eventId: string,
  overrides: RecordOverrides & Partial<TombstoneRecord> = {},
): TombstoneRecord {
  return {
    source: 'event',
    ...overrides,
    account: overrides.account ?? ACCOUNT,
    region: overrides.region ?? REGION,
    name,
    kind: 'tombstone',
    time,
    eventId,
  };
}

/** A label change on `version`. */
export function labelRecord(
  name: string,
  version: number,
  time: string,
  labels: readonly string[],
  eventId: string,
): LabelRecord {
  return { account: ACCOUNT, region: REGION, name, kind: 'label', time, version, labels, eventId };
}

// --- reference resolutions -------------------------------------------------------------------

/**
 * Resolves the state of every selected name at `at` from their complete lifecycle records (the
 * whole history in memory, where the CLI reads a point in time from the catalog and the index).
 *
 * @returns the names that existed at `at`, each with its current version
 * @example
 * snapshotAt(records, parseSelector('/app/', true), '2026-11-21T10:00:00.000Z').get('/app/db/url');
 */
export function snapshotAt(
  records: Iterable<LifecycleRecord>,
  selector: Selector,
  at: string,
): Map<string, PresenceRecord> {
  const byName = new Map<string, LifecycleRecord[]>();
  for (const record of records) {
    if (!selects(selector, record.name)) continue;
    const list = byName.get(record.name);
    if (list) list.push(record);
    else byName.set(record.name, [record]);
  }
  const snapshot = new Map<string, PresenceRecord>();
  for (const [name, list] of byName) {
    const state = stateOnTimeline(orderTimeline(list), at);
    if (state.exists) snapshot.set(name, state.record);
  }
  return snapshot;
}

/**
 * True when the records of one second cannot be ordered without knowing whether the name existed
 * before it: a deletion and a version 1 that comes first in the second (a re-creation right after
 * a deletion, or a creation right before one). The limit orderTimeline's `enteringAlive` exists for.
 *
 * @example
 * const deletion = tombstoneRecord('/a', '2026-11-21T10:00:00.000Z', 'e1');
 * needsEarlierHistory([deletion, versionRecord('/a', 1, '2026-11-21T10:00:00.300Z')]); // true
 */
export function needsEarlierHistory(recordsOfSecond: readonly LifecycleRecord[]): boolean {
  // A sweep's deletion is placed by its own millisecond; only whole-second deletions are inferred.
  if (!recordsOfSecond.some((r) => r.kind === 'tombstone' && r.source !== TombstoneSource.sweep)) return false;
  const versions = recordsOfSecond.filter(isPresence).sort(compareVersions);
  const first = versions[0];
  if (!first || !startsLife(first)) return false;
  return !recordsOfSecond.some((r) => r.kind === 'tombstone' && r.precedes === first.time);
}
