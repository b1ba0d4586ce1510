import { orderTimeline, stateOnTimeline } from './resolve.js';
import { secondOf } from './time.js';
import type { LifecycleRecord, ParameterState } from './types.js';

/** How much of a name's history a caller holds (see stateFromRecentRecords). */
export interface RecentRecordsCoverage {
  /** The records reach back to the name's first record: nothing was left unread. */
  readonly complete: boolean;
  /**
   * Every record of the earliest second present is included (a catalog entry's records are; the
   * last page of a descending query may have cut its earliest second in two). @default false
   */
  readonly firstSecondComplete?: boolean;
}

function sameState(a: ParameterState, b: ParameterState): boolean {
  return a.exists === b.exists && a.record === b.record;
}

/**
 * The state of one name at `at` from only its latest records (a catalog entry, or a descending
 * query that stopped early), or undefined when those records cannot decide it and older ones must
 * be read.
 *
 * Without the beginning of the history, whether the name existed just before the records is
 * unknown. The answer is decided when some record took effect at or before `at` and both possible
 * entering states order the records the same way up to `at`.
 *
 * @example
 * const state = stateFromRecentRecords(catalogEntry.records, at, { complete: false, firstSecondComplete: true });
 * if (state === undefined) {
 *   // read the name's records up to `at` (newest first) and try again
 * }
 */
export function stateFromRecentRecords(
  records: readonly LifecycleRecord[],
  at: string,
  coverage: RecentRecordsCoverage,
): ParameterState | undefined {
  if (coverage.complete) return stateOnTimeline(orderTimeline(records, false), at);
  let usable = records;
  if (!coverage.firstSecondComplete) {
    let earliest: string | undefined;
    for (const record of records) {
      const second = secondOf(record.time);
      if (earliest === undefined || second < earliest) earliest = second;
    }
    usable = records.filter((record) => secondOf(record.time) !== earliest);
  }
  if (usable.length === 0) return undefined;
  const asIfAbsent = orderTimeline(usable, false);
  const asIfAlive = orderTimeline(usable, true);
  const first = [asIfAbsent[0], asIfAlive[0]];
  if (first.some((entry) => entry === undefined || entry.effectiveTime > at)) return undefined;
  const a = stateOnTimeline(asIfAbsent, at);
  const b = stateOnTimeline(asIfAlive, at);
  return sameState(a, b) ? a : undefined;
}
