import { mapLimit, selects, stateFromRecentRecords } from '@ssmhub/core';
import type { IndexRecord, LifecycleRecord, ParameterState, PresenceRecord, Selector } from '@ssmhub/core';
import type { CatalogEntry, RequestCounter, StartKey } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import type { Location } from './locations.js';

/** Tuning of point-in-time reads (see docs/benchmarks.md). */
export const PointInTimeSettings = {
  /**
   * First page size of a per-name descending read: the records of `at`'s own second, the latest
   * second before it and one record older (which proves that second complete) usually fit.
   */
  firstPageLimit: 3,
  /** Queries in flight at once. */
  concurrency: 32,
} as const;

/** The catalog entries of the names a selector may select (a key: one GetItem; a path: one range). */
export async function readCatalog(
  hub: HubConnection,
  stats: RequestCounter,
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
  hub: HubConnection,
  stats: RequestCounter,
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

/**
 * The parameters selected by `selector` that existed at each of `times`, read cheaply: the
 * catalog decides every name whose latest second is at or before the moment; each other name is
 * read with one small descending Query from the moment's second (readStateAt), so the cost is the
 * catalog pages plus a few items per name changed since, however much history came after. (A
 * range read of the changed names' records costs items in proportion to that history: at 1,000
 * names x 50 versions, 26,001 items against 3,000; see docs/benchmarks.md.)
 *
 * @returns one snapshot (name → version) per time, in the order of `times`
 */
export async function snapshotsAt(
  hub: HubConnection,
  stats: RequestCounter,
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
  await mapLimit(pending, PointInTimeSettings.concurrency, async ({ name, timeIndex }) => {
    const state = await readStateAt(hub, stats, location, name, times[timeIndex] as string);
    if (state.exists) snapshots[timeIndex]?.set(name, state.record);
  });
  for (const snapshot of snapshots) {
    const ordered = [...snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    snapshot.clear();
    for (const [name, record] of ordered) snapshot.set(name, record);
  }
  return snapshots;
}
