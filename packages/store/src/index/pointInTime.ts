// The point-in-time read strategy, written once over the index's interfaces: IndexTable and
// InMemoryIndex both answer `stateAt` and `stateOf` with it, so a test of one proves the other's.
import {
  mapLimit,
  selects,
  stateFromRecentRecords,
  type IndexRecord,
  type LifecycleRecord,
  type ParameterLocation,
  type ParameterState,
  type PresenceRecord,
  type Selector,
} from '@ssmhub/core';
import type { CatalogEntry } from '../items.js';
import type { StartKey } from '../query.js';
import type { CatalogIndex, Location, RecordIndex } from './types.js';

/** Tuning of point-in-time reads (see docs/benchmarks.md). */
const PointInTimeSettings = {
  /**
   * First page size of a per-name descending read: the records of `at`'s own second, the latest
   * second before it and one record older (which proves that second complete) usually fit.
   */
  firstPageLimit: 3,
  /** Reads in flight at once. */
  concurrency: 32,
} as const;

/** The catalog entries of the names a selector may select (a key: one GetItem; a path: one range). */
async function selectedEntries(catalog: CatalogIndex, location: Location, selector: Selector): Promise<CatalogEntry[]> {
  if (selector.kind === 'key') {
    const entry = await catalog.entry({ ...location, name: selector.name });
    return entry ? [entry] : [];
  }
  const entries = await catalog.range(location, selector.path);
  return entries.filter((entry) => selects(selector, entry.name));
}

function lifecycleOnly(records: readonly IndexRecord[]): LifecycleRecord[] {
  return records.filter((record): record is LifecycleRecord => record.kind !== 'label');
}

/**
 * The state of one name at `at`, reading its records newest first from `at`'s second and stopping
 * as soon as they decide it (usually one small page).
 */
export async function stateOf(records: RecordIndex, location: ParameterLocation, at: string): Promise<ParameterState> {
  const read: LifecycleRecord[] = [];
  let lastKey: StartKey | undefined;
  let limit: number = PointInTimeSettings.firstPageLimit;
  for (;;) {
    const page = await records.before(location, at, { limit, startKey: lastKey });
    read.push(...lifecycleOnly(page.records));
    lastKey = page.lastKey;
    const state = stateFromRecentRecords(read, at, { complete: !lastKey });
    if (state) return state;
    limit = Math.min(limit * 4, 500);
  }
}

/**
 * The parameters selected by `selector` that existed at each of `moments`, read cheaply: the
 * catalog decides every name whose latest second is at or before the moment; each other name is
 * read with one small descending read from the moment's second (stateOf), so the cost is the
 * catalog pages plus a few items per name changed since, however much history came after. (A
 * range read of the changed names' records costs items in proportion to that history: at 1,000
 * names x 50 versions, 26,001 items against 3,000; see docs/benchmarks.md.)
 *
 * @returns one snapshot (name → record, by name) per moment, in the order of `moments`
 */
export async function stateAt(
  index: { readonly catalog: CatalogIndex; readonly records: RecordIndex },
  location: Location,
  selector: Selector,
  moments: readonly string[],
): Promise<Map<string, PresenceRecord>[]> {
  const catalog = await selectedEntries(index.catalog, location, selector);
  const snapshots = moments.map(() => new Map<string, PresenceRecord>());
  const pending: { name: string; momentIndex: number }[] = [];
  for (const entry of catalog) {
    moments.forEach((at, momentIndex) => {
      const state = stateFromRecentRecords(entry.records, at, { complete: false, firstSecondComplete: true });
      if (state === undefined) pending.push({ name: entry.name, momentIndex });
      else if (state.exists) snapshots[momentIndex]?.set(entry.name, state.record);
    });
  }
  await mapLimit(pending, PointInTimeSettings.concurrency, async ({ name, momentIndex }) => {
    const state = await stateOf(index.records, { ...location, name }, moments[momentIndex] as string);
    if (state.exists) snapshots[momentIndex]?.set(name, state.record);
  });
  for (const snapshot of snapshots) {
    const ordered = [...snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    snapshot.clear();
    for (const [name, record] of ordered) snapshot.set(name, record);
  }
  return snapshots;
}
