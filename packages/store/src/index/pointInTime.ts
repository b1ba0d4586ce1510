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
import { markKey, markOf } from '../catalogTimeline.js';
import type { CatalogEntry } from '../items.js';
import type { StartKey } from '../query.js';
import type { CatalogIndex, Location, RecordIndex, StoredRecordId } from './types.js';

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
 * The records a catalog entry knows, for resolve.ts: its latest second's in full, and a stand-in
 * for each mark of its timeline (what orders it, no metadata; never returned as it is).
 */
function knownRecords(entry: CatalogEntry): {
  records: LifecycleRecord[];
  standIns: Set<LifecycleRecord>;
  complete: boolean;
} {
  const standIns = new Set<LifecycleRecord>();
  const location = { account: entry.account, region: entry.region, name: entry.name };
  for (const mark of entry.timeline?.marks ?? []) {
    standIns.add(
      mark.kind === 'version' ? { ...location, ...mark, type: '', objectKey: '' } : { ...location, ...mark },
    );
  }
  return { records: [...standIns, ...entry.records], standIns, complete: entry.timeline?.complete ?? false };
}

/**
 * The parameters selected by `selector` that existed at each of `moments`, read cheaply:
 *
 * 1. the catalog pages of the selected names decide each name and moment with fewer than
 *    CATALOG_TIMELINE_LIMIT changes of the name after it (its latest second's records and the
 *    marks of the ones before: catalogTimeline.ts);
 * 2. the records that decision names and the catalog does not hold in full come by BatchGetItem,
 *    100 a request;
 * 3. only a name changed more often than that since the moment, or whose entry predates
 *    timelines, is read with one small descending read from the moment's second (stateOf).
 *
 * So a moment costs the catalog pages plus one request per 100 names changed since it, however
 * deep their history; at worst (every name changed more than the limit since) the catalog pages
 * plus a few items per name. See docs/benchmarks.md.
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
  /** The records to fetch, by record key, and who wants each. */
  const wanted = new Map<string, { id: StoredRecordId; for: { name: string; momentIndex: number }[] }>();
  for (const entry of catalog) {
    const known = knownRecords(entry);
    moments.forEach((at, momentIndex) => {
      const state = stateFromRecentRecords(known.records, at, {
        complete: known.complete,
        firstSecondComplete: true,
      });
      if (state === undefined) pending.push({ name: entry.name, momentIndex });
      else if (!state.exists) return;
      else if (!known.standIns.has(state.record)) snapshots[momentIndex]?.set(entry.name, state.record);
      else {
        const key = `${entry.name}\u0000${markKey(state.record)}`;
        const fetch = wanted.get(key) ?? { id: { ...markOf(state.record), name: entry.name }, for: [] };
        fetch.for.push({ name: entry.name, momentIndex });
        wanted.set(key, fetch);
      }
    });
  }
  const fetches = [...wanted.values()];
  const fetched = await index.records.getMany(
    location,
    fetches.map((fetch) => fetch.id),
  );
  fetches.forEach((fetch, i) => {
    const record = fetched[i];
    for (const want of fetch.for) {
      // A catalog written before its record (a crash in between, the redelivery not yet come):
      // what the records say decides.
      if (record === undefined || record.kind === 'label' || record.kind === 'tombstone') pending.push(want);
      else snapshots[want.momentIndex]?.set(want.name, record);
    }
  });
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
