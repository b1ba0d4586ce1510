// Internal to @ssmhub/store: the recent timeline a catalog entry holds of its name, how it is
// stored (compactly: the catalog is what every point-in-time read pays for, name by name), and how
// a writer merges what it knows into an entry.
import {
  Operation,
  TombstoneSource,
  secondOf,
  type LifecycleRecord,
  type ParameterLocation,
  type TombstoneRecord,
  type UncapturedRecord,
  type VersionRecord,
} from '@ssmhub/core';
import type { CatalogEntry } from './items.js';
import { recordSuffix } from './keys.js';

/**
 * How many of a name's latest lifecycle records its catalog entry knows (the latest second's in
 * full, the older ones as marks): a moment with fewer changes of the name after it resolves from
 * the catalog. Chosen by measurement (docs/benchmarks.md): a version's mark takes 5 to 8 bytes, so
 * with 32 a deep name's entry stays smaller than an entry was before timelines (on the benchmark's
 * names 405 bytes for versions a minute apart, 467 a day or a week apart, 498 a month apart, against
 * 521 before; 48 would reach 626), so no read of the catalog costs more than before, while a moment
 * up to 31 changes back resolves without a Query per name.
 */
export const CATALOG_TIMELINE_LIMIT = 32;

/**
 * One lifecycle record as a catalog timeline knows it: what orders it among its name's records
 * (resolve.ts's orderTimeline) and what finds its item, none of its metadata.
 */
export type TimelineMark =
  | Pick<VersionRecord, 'kind' | 'time' | 'version'>
  | Pick<TombstoneRecord, 'kind' | 'time' | 'eventId' | 'source' | 'precedes'>
  | Pick<UncapturedRecord, 'kind' | 'time' | 'eventId' | 'operation'>;

/** What a catalog entry knows of its name's history before the latest second. */
export interface CatalogTimeline {
  /**
   * The records before the entry's `lastSecond`, oldest first, as marks: with the entry's
   * `records`, every lifecycle record of the name from the first mark's whole second on (or from
   * `lastSecond` when there is none).
   */
  readonly marks: readonly TimelineMark[];
  /** Nothing is older than what the entry holds: it is the name's whole history. */
  readonly complete: boolean;
}

/** What a writer tells the catalog of one name (see CatalogIndex.update). */
export interface CatalogChange {
  /**
   * Every lifecycle record of the name from `since`'s whole second on, as the writer knows them
   * (read from the index, plus the ones it writes): the catalog trusts there is no other.
   */
  readonly records: readonly LifecycleRecord[];
  /** @default - the whole second of the earliest of `records` */
  readonly since?: string;
}

/** The mark of a record. */
export function markOf(record: LifecycleRecord | TimelineMark): TimelineMark {
  switch (record.kind) {
    case 'version':
      return { kind: 'version', time: record.time, version: record.version };
    case 'tombstone':
      return {
        kind: 'tombstone',
        time: record.time,
        eventId: record.eventId,
        source: record.source,
        ...(record.precedes !== undefined ? { precedes: record.precedes } : {}),
      };
    case 'uncaptured':
      return { kind: 'uncaptured', time: record.time, eventId: record.eventId, operation: record.operation };
  }
}

/** A record's key among its name's (its time and sort-key suffix): the catalog's `catalogRecordKey`. */
export function markKey(mark: TimelineMark | LifecycleRecord): string {
  return `${mark.time}!${recordSuffix(mark)}`;
}

function byKey(a: TimelineMark, b: TimelineMark): number {
  const [x, y] = [markKey(a), markKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

// --- Stored form -------------------------------------------------------------------------------
//
// One string, newest mark first, `*` first when the timeline is complete. A mark is
//   <code><ms before the mark after it, base 36>[.<version, base 36>][^<precedes - time in ms, base 36>][~<event id, URI-encoded>,]
// with codes V a version, D a deletion event, S a deletion the sweep found, C / U a not-captured
// Create / Update (upper case: base 36 is written lower case, so a code also ends the mark before).
// The first mark counts from the earliest of the latest second's records. A version one below the
// version before it (the next newer one, or the latest second's earliest) leaves its number out:
// SSM numbers a life's versions one by one. A version of a minute-spaced history takes 5 bytes.

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MARK = /([VDSCU])([0-9a-z]+)(?:\.([0-9a-z]+))?(?:\^(-?[0-9a-z]+))?(?:~([^,]*),)?/y;

/** Milliseconds of a canonical ISO time (what the store writes); undefined for any other text. */
function millisOf(time: string): number | undefined {
  if (!CANONICAL_TIME.test(time)) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) || new Date(ms).toISOString() !== time ? undefined : ms;
}

function codeOf(mark: TimelineMark): string | undefined {
  switch (mark.kind) {
    case 'version':
      return 'V';
    case 'tombstone':
      return mark.source === TombstoneSource.event ? 'D' : mark.source === TombstoneSource.sweep ? 'S' : undefined;
    case 'uncaptured':
      return mark.operation === Operation.create ? 'C' : mark.operation === Operation.update ? 'U' : undefined;
  }
}

/** Where the first mark counts from, and the version it would have if left out. */
function origin(latest: readonly LifecycleRecord[]): { ms: number; version: number | undefined } | undefined {
  const ms = Math.min(...latest.map((record) => millisOf(record.time) ?? Number.NaN));
  if (Number.isNaN(ms)) return undefined;
  const earliestVersion = [...latest].sort(byKey).find((record) => record.kind === 'version');
  return { ms, version: earliestVersion?.kind === 'version' ? earliestVersion.version : undefined };
}

/**
 * The stored form of a timeline (with the entry's latest records, which the first mark counts
 * from); undefined when a time is not one the store writes (ISO with milliseconds): such an entry
 * is stored without timeline and read as one.
 */
export function encodeTimeline(timeline: CatalogTimeline, latest: readonly LifecycleRecord[]): string | undefined {
  const from = origin(latest);
  if (from === undefined) return undefined;
  let previous = from.ms;
  let lastVersion = from.version;
  let text = timeline.complete ? '*' : '';
  for (const mark of [...timeline.marks].sort(byKey).reverse()) {
    const code = codeOf(mark);
    const ms = millisOf(mark.time);
    if (code === undefined || ms === undefined || ms > previous) return undefined;
    text += `${code}${(previous - ms).toString(36)}`;
    previous = ms;
    if (mark.kind === 'version') {
      if (!Number.isSafeInteger(mark.version) || mark.version < 0) return undefined;
      if (lastVersion === undefined || mark.version !== lastVersion - 1) text += `.${mark.version.toString(36)}`;
      lastVersion = mark.version;
      continue;
    }
    if (mark.kind === 'tombstone' && mark.precedes !== undefined) {
      const precedes = millisOf(mark.precedes);
      if (precedes === undefined) return undefined;
      text += `^${(precedes - ms).toString(36)}`;
    }
    text += `~${encodeURIComponent(mark.eventId)},`;
  }
  return text;
}

/** The timeline a stored form holds; undefined when the text is not one (the entry is read without). */
export function decodeTimeline(text: unknown, latest: readonly LifecycleRecord[]): CatalogTimeline | undefined {
  if (typeof text !== 'string') return undefined;
  const from = origin(latest);
  if (from === undefined) return undefined;
  let previous = from.ms;
  let lastVersion = from.version;
  const complete = text.startsWith('*');
  const marks: TimelineMark[] = [];
  MARK.lastIndex = complete ? 1 : 0;
  while (MARK.lastIndex < text.length) {
    const match = MARK.exec(text);
    if (!match) return undefined;
    const [, code, delta = '', version, precedes, eventId] = match;
    previous -= parseInt(delta, 36);
    const time = new Date(previous).toISOString();
    if (code === 'V') {
      const number =
        version !== undefined ? parseInt(version, 36) : lastVersion !== undefined ? lastVersion - 1 : undefined;
      if (number === undefined || eventId !== undefined || precedes !== undefined) return undefined;
      marks.push({ kind: 'version', time, version: number });
      lastVersion = number;
      continue;
    }
    if (eventId === undefined || version !== undefined) return undefined;
    const id = decodeURIComponent(eventId);
    if (code === 'C' || code === 'U') {
      if (precedes !== undefined) return undefined;
      marks.push({
        kind: 'uncaptured',
        time,
        eventId: id,
        operation: code === 'C' ? Operation.create : Operation.update,
      });
    } else {
      marks.push({
        kind: 'tombstone',
        time,
        eventId: id,
        source: code === 'D' ? TombstoneSource.event : TombstoneSource.sweep,
        ...(precedes !== undefined ? { precedes: new Date(previous + parseInt(precedes, 36)).toISOString() } : {}),
      });
    }
  }
  return { marks: marks.reverse(), complete };
}

// --- Merging -----------------------------------------------------------------------------------

/** `a` with the fields of `b` it lacks: every field of a stored record is set once, never changed. */
function united<T extends object>(a: T | undefined, b: T): T {
  if (a === undefined) return b;
  const added = Object.entries(b).filter(
    ([field, value]) => value !== undefined && (a as Record<string, unknown>)[field] === undefined,
  );
  return added.length === 0 ? a : ({ ...a, ...Object.fromEntries(added) } as T);
}

/**
 * The entry a writer leaves: `current` (undefined when the name has none) merged with what it
 * knows (`change`), by record identity, in any order and any number of times: the latest whole
 * second's records in full, the records before it as marks, at most `limit` in all (the oldest
 * whole seconds go first). Undefined when there is nothing to store.
 *
 * What the result knows is complete from its first record's second: `current` is (from its own
 * first), and `change` is from `since`. An entry that did not exist means the name has no record
 * yet (the catalog is written before the records), so a new entry is the whole history.
 */
export function mergeCatalogEntry(
  current: CatalogEntry | undefined,
  location: ParameterLocation,
  change: CatalogChange,
  limit: number = CATALOG_TIMELINE_LIMIT,
): CatalogEntry | undefined {
  const seconds = change.records.map((record) => secondOf(record.time)).sort();
  const since = change.since !== undefined ? secondOf(change.since) : seconds[0];
  if (since === undefined) return current;
  const full = new Map<string, LifecycleRecord>();
  const marks = new Map<string, TimelineMark>();
  for (const record of current?.records ?? []) {
    full.set(markKey(record), record);
    marks.set(markKey(record), markOf(record));
  }
  for (const mark of current?.timeline?.marks ?? []) marks.set(markKey(mark), united(marks.get(markKey(mark)), mark));
  // Without a timeline, the current entry knows its latest second only.
  const currentStart = current && secondOf(current.timeline?.marks[0]?.time ?? current.lastSecond);
  let complete = current === undefined || current.timeline?.complete === true;
  for (const record of change.records) {
    if (secondOf(record.time) < since) {
      // Known, but not with everything around it: kept out, and the history is no longer whole.
      complete = false;
      continue;
    }
    const key = markKey(record);
    full.set(key, united(full.get(key), record));
    marks.set(key, united(marks.get(key), markOf(record)));
  }
  const start = currentStart === undefined || since < currentStart ? since : currentStart;
  const ordered = [...marks.values()].filter((mark) => secondOf(mark.time) >= start).sort(byKey);
  const newest = ordered.at(-1);
  if (newest === undefined) return current;
  const lastSecond = secondOf(newest.time);
  const latest = ordered.filter((mark) => secondOf(mark.time) === lastSecond).map((mark) => full.get(markKey(mark)));
  if (latest.some((record) => record === undefined)) {
    // Cannot happen (the latest second's records come in full from `current` or `change`).
    throw new Error(`catalog entry of ${location.name}: a record of its latest second is known only as a mark`);
  }
  let older = ordered.filter((mark) => secondOf(mark.time) < lastSecond);
  while (older.length > 0 && older.length + latest.length > limit) {
    const oldest = secondOf((older[0] as TimelineMark).time);
    older = older.filter((mark) => secondOf(mark.time) !== oldest);
    complete = false;
  }
  return {
    account: location.account,
    region: location.region,
    name: location.name,
    lastSecond,
    records: latest as LifecycleRecord[],
    timeline: { marks: older, complete },
  };
}
