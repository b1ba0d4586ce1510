import {
  chunks,
  mapLimit,
  recordPrefix,
  selects,
  stateFromRecentRecords,
  stateOnTimeline,
  orderTimeline,
} from '@ssmhub/core';
import type { IndexRecord, LifecycleRecord, ParameterState, PresenceRecord, Selector } from '@ssmhub/core';
import type { CatalogEntry, StartKey } from '@ssmhub/store';
import type { Hub } from './hub.js';
import type { Location } from './locations.js';
import type { RequestStats } from './stats.js';

/** Tuning of point-in-time reads (see README "Speed"). */
export const PointInTimeSettings = {
  /** Up to this many names needing history are read one Query each; more, one range read. */
  perNameLimit: 64,
  /** First page size of a per-name descending read. */
  firstPageLimit: 4,
  /** Queries in flight at once. */
  concurrency: 16,
  /** Names per segment of a range read (segments are read in parallel). */
  namesPerSegment: 256,
} as const;

/** The catalog entries of the names a selector may select (a key: one GetItem; a path: one range). */
export async function readCatalog(
  hub: Hub,
  stats: RequestStats,
  location: Location,
  selector: Selector,
): Promise<CatalogEntry[]> {
  const index = hub.index(stats);
  if (selector.kind === 'key') {
    const entry = await index.catalogEntry({ ...location, name: selector.name });
    return entry ? [entry] : [];
  }
  const entries = await index.catalogRange(location, selector.path);
  return entries.filter((entry) => selects(selector, entry.name));
}

function lifecycleOnly(records: readonly IndexRecord[]): LifecycleRecord[] {
  return records.filter((record): record is LifecycleRecord => record.kind !== 'label');
}

/**
 * The state of one name at `at`, reading its records newest first from `at`'s second and stopping
 * as soon as they decide it (usually one small page).
 */
export async function readStateAt(
  hub: Hub,
  stats: RequestStats,
  location: Location,
  name: string,
  at: string,
): Promise<ParameterState> {
  const index = hub.index(stats);
  const records: LifecycleRecord[] = [];
  let lastKey: StartKey | undefined;
  let limit: number = PointInTimeSettings.firstPageLimit;
  for (;;) {
    const page = await index.recordsBefore({ ...location, name }, at, { limit, startKey: lastKey });
    records.push(...lifecycleOnly(page.records));
    lastKey = page.lastKey;
    const state = stateFromRecentRecords(records, at, { complete: !lastKey });
    if (state) return state;
    limit = Math.min(limit * 4, 500);
  }
}

/** Every lifecycle record (up to `until`'s second) of the given names, read as parallel range segments. */
async function readRecordsOfNames(
  hub: Hub,
  stats: RequestStats,
  location: Location,
  names: readonly string[],
  until: string,
): Promise<Map<string, LifecycleRecord[]>> {
  // In key order (a long name's key ends in a hash), so each segment is one contiguous key range.
  const sorted = [...names].sort((a, b) => (recordPrefix(a) < recordPrefix(b) ? -1 : 1));
  const wanted = new Set(sorted);
  const byName = new Map<string, LifecycleRecord[]>();
  const segments = chunks(sorted, PointInTimeSettings.namesPerSegment);
  await mapLimit(segments, PointInTimeSettings.concurrency, async (segment) => {
    const first = segment[0] as string;
    const last = segment[segment.length - 1] as string;
    const records = await hub.index(stats).recordsOfNameRange(location, first, last, until);
    for (const record of lifecycleOnly(records)) {
      if (!wanted.has(record.name)) continue;
      const list = byName.get(record.name);
      if (list) list.push(record);
      else byName.set(record.name, [record]);
    }
  });
  return byName;
}

/**
 * The parameters selected by `selector` that existed at each of `times`, read cheaply: the
 * catalog decides every name whose latest second is at or before the moment; the others are read
 * one small Query each, or, when many, as one segmented range read.
 *
 * @returns one snapshot (name → version) per time, in the order of `times`
 */
export async function snapshotsAt(
  hub: Hub,
  stats: RequestStats,
  location: Location,
  selector: Selector,
  times: readonly string[],
): Promise<Map<string, PresenceRecord>[]> {
  const catalog = await readCatalog(hub, stats, location, selector);
  const snapshots = times.map(() => new Map<string, PresenceRecord>());
  const pending: { name: string; timeIndex: number }[] = [];
  for (const entry of catalog) {
    times.forEach((at, timeIndex) => {
      const state = stateFromRecentRecords(entry.records, at, { complete: false, firstSecondComplete: true });
      if (state === undefined) pending.push({ name: entry.name, timeIndex });
      else if (state.exists) snapshots[timeIndex]?.set(entry.name, state.record);
    });
  }
  const pendingNames = [...new Set(pending.map((p) => p.name))];
  if (pendingNames.length === 0) return snapshots;
  if (pending.length <= PointInTimeSettings.perNameLimit) {
    await mapLimit(pending, PointInTimeSettings.concurrency, async ({ name, timeIndex }) => {
      const state = await readStateAt(hub, stats, location, name, times[timeIndex] as string);
      if (state.exists) snapshots[timeIndex]?.set(name, state.record);
    });
  } else {
    const until = [...times].sort().at(-1) as string;
    const records = await readRecordsOfNames(hub, stats, location, pendingNames, until);
    for (const { name, timeIndex } of pending) {
      const state = stateOnTimeline(orderTimeline(records.get(name) ?? []), times[timeIndex] as string);
      if (state.exists) snapshots[timeIndex]?.set(name, state.record);
    }
  }
  for (const snapshot of snapshots) {
    const ordered = [...snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    snapshot.clear();
    for (const [name, record] of ordered) snapshot.set(name, record);
  }
  return snapshots;
}
