import { compareVersions, isPresence } from './presence.js';
// The rules by which SSM confirms what an event claims (re-exported with the timeline's rules).
export { confirmsDeletion, confirmsUncaptured, type HeldVersion } from './confirm.js';
import { secondOf, toIsoMillis } from './time.js';
import {
  Operation,
  TombstoneSource,
  type IndexRecord,
  type LabelRecord,
  type LifecycleRecord,
  type ParameterState,
  type PresenceRecord,
  type TombstoneRecord,
  type UncapturedRecord,
  type VersionRecord,
} from './types.js';

/** A lifecycle record placed on the timeline, at the instant it took effect. */
export interface TimelineEntry {
  readonly record: LifecycleRecord;
  /** ISO 8601 with milliseconds; a tombstone's is its event second or later (see orderTimeline). */
  readonly effectiveTime: string;
}

/** Whether a record begins a life of its name: a version 1, or a Create whose value was not captured. */
export function startsLife(record: PresenceRecord): boolean {
  return record.kind === 'version' ? record.version === 1 : record.operation === Operation.create;
}

/**
 * Whether a stored version accounts for a not-captured change: a version 1 for a Create, a later
 * version for an Update, written in the event's second or the one before (an event is emitted at
 * or after the change it reports). Such a change was read after all: the version stands for it.
 * Known limit (events carry no version number): a change whose version vanished within about a
 * second of a stored version of the same kind (a Create next to another life's stored version 1,
 * an Update next to an earlier stored Update) is taken for that version. A narrower window would
 * mark changes whose event came a second after their version as not captured.
 */
export function absorbedByCaptured(change: UncapturedRecord, records: readonly { kind: string }[]): boolean {
  const second = Date.parse(secondOf(change.time));
  return records.some((record) => {
    if (record.kind !== 'version') return false;
    const version = record as VersionRecord;
    if ((version.version === 1) !== (change.operation === Operation.create)) return false;
    const versionSecond = Date.parse(secondOf(version.time));
    return versionSecond === second || versionSecond === second - 1000;
  });
}

/** The SSM version number of a presence record; undefined for a change whose value was not captured. */
export function versionOf(record: PresenceRecord): number | undefined {
  return record.kind === 'version' ? record.version : undefined;
}

function groupBySecond(records: readonly LifecycleRecord[]): Map<string, LifecycleRecord[]> {
  const seconds = new Map<string, LifecycleRecord[]>();
  for (const record of records) {
    const second = secondOf(record.time);
    const group = seconds.get(second);
    if (group) group.push(record);
    else seconds.set(second, [record]);
  }
  return seconds;
}

/**
 * Orders one name's lifecycle records into the sequence SSM went through.
 *
 * Versions carry SSM's millisecond times, deletions only their event's whole second, so inside a
 * second holding a deletion the order is inferred: a version 1 that follows a live version starts
 * a new life and must come after a deletion; any deletion left over comes after the second's last
 * version. A deletion takes effect at the earliest instant it can have happened: its event second,
 * or one millisecond after the version before it in that second (that version was current at its
 * own millisecond; `stateAt` is inclusive), whichever is later, but never after the version that
 * follows it nor outside its own second. Duplicates (same version, same tombstone event) count
 * once.
 *
 * What the index cannot know: the exact millisecond of a deletion. Between the instant given here
 * and the real deletion (at most the rest of that second) a name reads as already deleted.
 *
 * @param enteringAlive whether the name existed just before the first record given (for callers
 *   that hold only the latest records of a name; pass false for a complete history)
 */
export function orderTimeline(records: readonly LifecycleRecord[], enteringAlive = false): TimelineEntry[] {
  const unique = new Map<string, LifecycleRecord>();
  for (const record of records) {
    if (record.kind === 'uncaptured' && absorbedByCaptured(record, records)) continue;
    const id = record.kind === 'version' ? `V${record.time}#${record.version}` : `${record.kind}${record.eventId}`;
    unique.set(id, record);
  }
  const seconds = [...groupBySecond([...unique.values()]).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const timeline: TimelineEntry[] = [];
  let alive = enteringAlive;
  for (const [second, group] of seconds) {
    const allTombstones = group
      .filter((r): r is TombstoneRecord => r.kind === 'tombstone')
      .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const versions = presenceOrder(group.filter(isPresence), allTombstones);
    // A sweep's deletion carries the millisecond the sweep found the name gone: it goes by its time.
    const tombstones = allTombstones.filter((t) => t.source !== TombstoneSource.sweep);
    const timed = allTombstones
      .filter((t) => t.source === TombstoneSource.sweep)
      .sort((a, b) => (a.time < b.time ? -1 : 1));
    // The earliest instant a deletion in this second can have happened, given the versions so far.
    const lastOfSecond = Date.parse(second) + 999;
    let earliestDeletion = Date.parse(second);
    // A not-captured change may be placed after a later millisecond: the timeline never goes back.
    let latest = Date.parse(second);
    for (const version of versions) {
      const at = Math.max(Date.parse(version.time), latest);
      while (timed[0] && Date.parse(timed[0].time) < at) {
        const tombstone = timed.shift() as TombstoneRecord;
        timeline.push({ record: tombstone, effectiveTime: tombstone.time });
        latest = Math.max(latest, Date.parse(tombstone.time));
        alive = false;
      }
      const before = startsLife(version) ? deletionsBefore(version, tombstones, alive) : [];
      for (const tombstone of before) {
        const effective = Math.max(Math.min(earliestDeletion, at), latest);
        timeline.push({ record: tombstone, effectiveTime: new Date(effective).toISOString() });
      }
      const effective = Math.max(at, latest);
      timeline.push({ record: version, effectiveTime: new Date(effective).toISOString() });
      latest = effective;
      alive = true;
      earliestDeletion = Math.min(effective + 1, lastOfSecond);
    }
    const leftover = [
      ...tombstones.map((record) => ({ record, effectiveTime: new Date(earliestDeletion).toISOString() })),
      ...timed.map((record) => ({ record, effectiveTime: record.time })),
    ].sort((a, b) => (a.effectiveTime < b.effectiveTime ? -1 : a.effectiveTime > b.effectiveTime ? 1 : 0));
    for (const entry of leftover) {
      timeline.push(entry);
      alive = false;
    }
  }
  return timeline;
}

/**
 * One second's presence records in the order SSM most likely went through them. Stored versions
 * go by their milliseconds. A not-captured change is known only to its event's second, so it goes
 * by what its life proves: a version of it was gone when the hub read, so its life had ended by
 * then. Not-captured Updates therefore follow the stored versions of the second (the life they
 * continue ended in this second) unless a deletion of the second is known to precede a stored
 * version 1 (TombstoneRecord.precedes): then they belong to the life that deletion ended and come
 * before that version 1. Not-captured Creates come after the stored versions of an older life
 * (versions above 1) and before the rest.
 */
function presenceOrder(records: readonly PresenceRecord[], tombstones: readonly TombstoneRecord[]): PresenceRecord[] {
  const stored = records.filter((r): r is VersionRecord => r.kind === 'version').sort(compareVersions);
  const notCaptured = records.filter((r): r is UncapturedRecord => r.kind === 'uncaptured').sort(compareVersions);
  const creates = notCaptured.filter((r) => r.operation === Operation.create);
  const updates = notCaptured.filter((r) => r.operation !== Operation.create);
  if (notCaptured.length === 0) return stored;
  const newLife = stored.findIndex((v) => v.version === 1 && tombstones.some((t) => t.precedes === v.time));
  const firstLifeStart = stored.findIndex((v) => v.version === 1);
  const olderLife = firstLifeStart < 0 ? stored.length : firstLifeStart;
  if (newLife >= 0) {
    const beforeNewLife = stored.slice(0, newLife);
    const older = beforeNewLife.slice(0, Math.min(olderLife, newLife));
    return [...older, ...creates, ...beforeNewLife.slice(older.length), ...updates, ...stored.slice(newLife)];
  }
  return [...stored.slice(0, olderLife), ...creates, ...stored.slice(olderLife), ...updates];
}

/**
 * The deletions that come right before a version 1, taken out of `tombstones`: every one known to
 * precede it (see TombstoneRecord.precedes; several lives can end in one second), else, when the
 * name is alive, the first one not known to precede another version.
 */
function deletionsBefore(version: PresenceRecord, tombstones: TombstoneRecord[], alive: boolean): TombstoneRecord[] {
  const known = tombstones.filter((t) => t.precedes === version.time);
  if (known.length > 0) {
    for (const tombstone of known) tombstones.splice(tombstones.indexOf(tombstone), 1);
    return known;
  }
  const index = alive ? tombstones.findIndex((t) => t.precedes === undefined) : -1;
  return index < 0 ? [] : tombstones.splice(index, 1);
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * `at` as ssmhub stores times (ISO 8601 UTC with milliseconds), so that comparing text compares
 * instants: `2026-11-21T10:00:00Z` would otherwise sort after `2026-11-21T10:00:00.500Z`.
 */
function canonicalTime(at: string): string {
  return CANONICAL_TIME.test(at) ? at : toIsoMillis(at);
}

/**
 * The state a timeline gives at `at` (inclusive: a change at exactly `at` counts). `at` is any ISO
 * 8601 time; throws InvalidInputError when it is not a time.
 */
export function stateOnTimeline(timeline: readonly TimelineEntry[], at: string): ParameterState {
  const instant = canonicalTime(at);
  let current: TimelineEntry | undefined;
  for (const entry of timeline) {
    if (entry.effectiveTime > instant) break;
    current = entry;
  }
  if (!current) return { exists: false };
  return current.record.kind === 'tombstone'
    ? { exists: false, record: current.record }
    : { exists: true, record: current.record };
}

/**
 * The state of one name at `at`: its latest record with time <= `at`; a tombstone or nothing
 * means it did not exist.
 *
 * @example
 * const state = stateAt(records, '2026-11-21T09:00:00.000Z');
 * if (state.exists) console.log(state.record.version);
 */
export function stateAt(records: readonly LifecycleRecord[], at: string, enteringAlive = false): ParameterState {
  return stateOnTimeline(orderTimeline(records, enteringAlive), at);
}

/** The latest whole second among records (where a catalog entry keeps its records). */
export function latestSecond(records: readonly LifecycleRecord[]): string | undefined {
  let latest: string | undefined;
  for (const record of records) {
    const second = secondOf(record.time);
    if (latest === undefined || second > latest) latest = second;
  }
  return latest;
}

/** One record of a name's history, with the version a deletion ended or a label change labelled. */
export interface HistoryEntry {
  readonly record: IndexRecord;
  readonly context?: VersionRecord;
}

/**
 * One name's whole history in the order SSM went through it: the lifecycle timeline
 * (orderTimeline) with each label change after the version it labels. A label's time is its
 * event's whole second, usually before the millisecond of the version it labels in that second: it
 * waits for that version in the current life (a deleted name's new life restarts at version 1),
 * unless its second has passed (the version it names was never captured).
 *
 * @example
 * orderHistory([labelAt('10:00:00.000', 1), versionAt('10:00:00.500', 1)]).map((e) => e.record.kind); // ['version', 'label']
 */
export function orderHistory(records: readonly IndexRecord[]): HistoryEntry[] {
  const lifecycle = records.filter((r): r is LifecycleRecord => r.kind !== 'label');
  const pending = records
    .filter((r): r is LabelRecord => r.kind === 'label')
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.eventId < b.eventId ? -1 : 1));
  const out: HistoryEntry[] = [];
  let life = new Map<number, VersionRecord>();
  const placeLabels = (before?: TimelineEntry): void => {
    for (let i = 0; i < pending.length;) {
      const label = pending[i] as LabelRecord;
      if (before !== undefined && label.time >= before.effectiveTime) break;
      const labelled = life.get(label.version);
      const secondPassed = before === undefined || secondOf(label.time) < secondOf(before.effectiveTime);
      if (labelled === undefined && !secondPassed) {
        i += 1;
        continue;
      }
      out.push({ record: label, ...(labelled ? { context: labelled } : {}) });
      pending.splice(i, 1);
    }
  };
  let lastVersion: VersionRecord | undefined;
  for (const entry of orderTimeline(lifecycle)) {
    placeLabels(entry);
    if (entry.record.kind === 'version') {
      lastVersion = entry.record;
      life.set(entry.record.version, entry.record);
      out.push({ record: entry.record });
    } else if (entry.record.kind === 'tombstone') {
      out.push({ record: entry.record, ...(lastVersion ? { context: lastVersion } : {}) });
      lastVersion = undefined;
      life = new Map();
    } else {
      // A change whose value was not captured: it follows the last version, as a deletion does.
      out.push({ record: entry.record, ...(lastVersion ? { context: lastVersion } : {}) });
      lastVersion = undefined;
    }
  }
  placeLabels(undefined);
  return out;
}

/** The version holding a label: its number, and its record when the hub stored that version. */
export interface LabelHolder {
  readonly version: number;
  readonly record?: VersionRecord;
}

/**
 * Which version holds each label after `history` (orderHistory's order), up to `until`: SSM moves a
 * label from the version holding it to the one it names. A version record holds the labels its
 * version carried when the hub read it; a label change, every label its version carried after the
 * change. A deletion ends its life's labels, unless `acrossDeletions` keeps each with its last
 * holder (a label as last known).
 */
export function labelHolders(
  history: readonly HistoryEntry[],
  options: { readonly until?: string; readonly acrossDeletions?: boolean } = {},
): Map<string, LabelHolder> {
  const until = options.until === undefined ? undefined : canonicalTime(options.until);
  const holders = new Map<string, LabelHolder & { readonly life: number }>();
  let life = 0;
  const carry = (version: number, record: VersionRecord | undefined, labels: readonly string[]): void => {
    for (const [label, held] of holders) if (held.life === life && held.version === version) holders.delete(label);
    for (const label of labels) holders.set(label, { version, life, ...(record ? { record } : {}) });
  };
  for (const { record, context } of history) {
    if (until !== undefined && record.time > until) break;
    if (record.kind === 'tombstone') {
      if (options.acrossDeletions) life += 1;
      else holders.clear();
    } else if (record.kind === 'version') carry(record.version, record, record.labels ?? []);
    else if (record.kind === 'label') carry(record.version, context, record.labels);
  }
  return holders;
}

/**
 * The labels each version of a name carried at `at`, in the life current then (SSM moves a label
 * from one version to another, and a deleted name's labels die with it).
 *
 * @example
 * labelsAt(records, '2026-11-21T10:00:00.000Z').get(3); // ['prod']
 */
export function labelsAt(records: readonly IndexRecord[], at: string): ReadonlyMap<number, readonly string[]> {
  const byVersion = new Map<number, string[]>();
  for (const [label, { version }] of labelHolders(orderHistory(records), { until: at })) {
    byVersion.set(version, [...(byVersion.get(version) ?? []), label].sort());
  }
  return byVersion;
}
