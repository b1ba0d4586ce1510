import { absorbedByCaptured, orderTimeline, stateOnTimeline } from './resolve.js';
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

/** Beyond this many doubtful not-captured changes in the earliest second, older records are read. */
const MAX_DOUBTFUL = 3;

function sameState(a: ParameterState, b: ParameterState): boolean {
  return a.exists === b.exists && a.record === b.record;
}

/**
 * The state of one name at `at` from only its latest records (a catalog entry, or a descending
 * query that stopped early), or undefined when those records cannot decide it and older ones must
 * be read.
 *
 * Without the beginning of the history, whether the name existed just before the records is
 * unknown, and so is whether a not-captured change of the earliest second stands for a version of
 * the second before. The answer is decided when some record took effect at or before `at` and every
 * possibility orders the records the same way up to `at`.
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
  // A not-captured change in the earliest second may stand for a version of the second before
  // (absorbedByCaptured), which these records do not show: decide only where that does not matter.
  let earliest = secondOf(usable[0]?.time ?? '');
  for (const record of usable) if (secondOf(record.time) < earliest) earliest = secondOf(record.time);
  const doubtful = usable.filter(
    (record) =>
      record.kind === 'uncaptured' && secondOf(record.time) === earliest && !absorbedByCaptured(record, usable),
  );
  if (doubtful.length > MAX_DOUBTFUL) return undefined;
  let decided: ParameterState | undefined;
  for (let absorbed = 0; absorbed < 2 ** doubtful.length; absorbed += 1) {
    const variant = usable.filter((record) => !doubtful.some((d, i) => d === record && (absorbed >> i) & 1));
    for (const enteringAlive of [false, true]) {
      const timeline = orderTimeline(variant, enteringAlive);
      const first = timeline[0];
      if (first === undefined || first.effectiveTime > at) return undefined;
      const state = stateOnTimeline(timeline, at);
      if (decided === undefined) decided = state;
      else if (!sameState(decided, state)) return undefined;
    }
  }
  return decided;
}
