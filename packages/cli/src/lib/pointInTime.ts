import {
  IndexAttributes,
  catalogKey,
  catalogRangePrefix,
  fromCatalogItem,
  fromRecordItem,
  locationPartition,
  recordPrefix,
  recordUpperBoundAtSecond,
  selects,
  stateFromRecentRecords,
  stateOnTimeline,
  orderTimeline,
} from '@ssmhub/core';
import type { CatalogEntry, LifecycleRecord, ParameterState, Selector, VersionRecord } from '@ssmhub/core';
import { chunks, mapLimit } from './concurrency.js';
import { getItem, queryAll, queryPage } from './dynamo.js';
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

const NAMES = { '#pk': IndexAttributes.partitionKey, '#sk': IndexAttributes.sortKey };

/** The catalog entries of the names a selector may select (a key: one GetItem; a path: one range). */
export async function readCatalog(
  hub: Hub,
  stats: RequestStats,
  location: Location,
  selector: Selector,
): Promise<CatalogEntry[]> {
  if (selector.kind === 'key') {
    const item = await getItem(hub, stats, catalogKey(location.account, location.region, selector.name));
    return item ? [fromCatalogItem(item)] : [];
  }
  const items = await queryAll(hub, stats, {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: {
      ':pk': locationPartition(location.account, location.region),
      ':prefix': catalogRangePrefix(selector.path),
    },
  });
  return items.map(fromCatalogItem).filter((entry) => selects(selector, entry.name));
}

function lifecycleOnly(items: readonly Record<string, unknown>[]): LifecycleRecord[] {
  const out: LifecycleRecord[] = [];
  for (const item of items) {
    const record = fromRecordItem(item);
    if (record.kind !== 'label') out.push(record);
  }
  return out;
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
  const records: LifecycleRecord[] = [];
  let lastKey: Record<string, unknown> | undefined;
  let limit: number = PointInTimeSettings.firstPageLimit;
  for (;;) {
    const page = await queryPage(hub, stats, {
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: {
        ':pk': locationPartition(location.account, location.region),
        ':from': recordPrefix(name),
        ':to': recordUpperBoundAtSecond(name, at),
      },
      ScanIndexForward: false,
      Limit: limit,
      ...(lastKey ? { ExclusiveStartKey: lastKey } : {}),
    });
    records.push(...lifecycleOnly(page.items));
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
    const items = await queryAll(hub, stats, {
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      FilterExpression: '#time <= :until',
      ExpressionAttributeNames: { ...NAMES, '#time': 'time' },
      ExpressionAttributeValues: {
        ':pk': locationPartition(location.account, location.region),
        ':from': recordPrefix(first),
        ':to': `${recordPrefix(last)}~`,
        ':until': `${until.slice(0, 19)}~`,
      },
    });
    for (const record of lifecycleOnly(items)) {
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
): Promise<Map<string, VersionRecord>[]> {
  const catalog = await readCatalog(hub, stats, location, selector);
  const snapshots = times.map(() => new Map<string, VersionRecord>());
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
