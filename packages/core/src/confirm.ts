import { secondOf } from './time.js';
import type { UncapturedRecord } from './types.js';

/*
 * The index never believes an event over SSM. An event says what happened; SSM's history, read
 * after the event, says what is. These rules decide whether what SSM holds now is consistent with
 * an event's claim; a claim it is not consistent with is refused (logged, nothing recorded), and
 * the reconcile sweep repairs any disagreement the other way.
 */

/** One version SSM holds now (GetParameterHistory), by number and LastModifiedDate (ISO 8601). */
export interface HeldVersion {
  readonly version: number;
  readonly time: string;
}

/**
 * Whether SSM confirms a deletion at `time` (the event's whole second): the name is gone (SSM
 * holds no version), or SSM holds a life that began (version 1) in the deletion's second or
 * later, the same-second rule the timeline uses. A deletion claimed for a parameter SSM holds in a
 * life that began before it is not confirmed: the parameter is alive.
 *
 * Known limit: a deletion followed by a new life that has since passed SSM's 100 versions (its
 * version 1 gone) is not confirmed; the index then shows the two lives joined.
 *
 * @example
 * confirmsDeletion([], '2026-11-21T10:00:00.000Z'); // true: gone
 * confirmsDeletion([{ version: 3, time: '2026-11-21T09:00:00.000Z' }], '2026-11-21T10:00:00.000Z'); // false: alive
 */
export function confirmsDeletion(held: readonly HeldVersion[], time: string): boolean {
  if (held.length === 0) return true;
  const second = secondOf(time);
  return held.some((v) => v.version === 1 && v.time >= second);
}

/**
 * Whether SSM confirms a change whose version it does not hold (one not accounted for by a held
 * version, see absorbedByCaptured): the name is gone, or SSM's history no longer reaches back to
 * the change, because a later life began in its second or after (a version 1 there), or because
 * older versions were pushed out (the earliest held version is above 1) and the earliest held one
 * is no older than the second before the change's (an event is emitted at or after its change).
 * A Create or Update claimed after what SSM holds began is not confirmed: a real one would be a
 * held version.
 *
 * @example
 * confirmsUncaptured(change, []); // true: the name is gone
 */
export function confirmsUncaptured(change: Pick<UncapturedRecord, 'time'>, held: readonly HeldVersion[]): boolean {
  if (held.length === 0) return true;
  const second = secondOf(change.time);
  if (held.some((v) => v.version === 1 && v.time >= second)) return true;
  const earliest = [...held].sort((a, b) => a.version - b.version)[0] as HeldVersion;
  const secondBefore = secondOf(new Date(Date.parse(second) - 1000).toISOString());
  return earliest.version > 1 && secondOf(earliest.time) >= secondBefore;
}
