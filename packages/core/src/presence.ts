// Internal to @ssmhub/core (not re-exported by index.ts): the order of presence records that
// resolve.ts places on a timeline and testing.ts's needsEarlierHistory reads.
import { Operation, type LifecycleRecord, type PresenceRecord, type UncapturedRecord } from './types.js';

/**
 * Presence records in SSM's order: by time; in one millisecond a not-captured change (at its
 * event's whole second) before stored versions, a Create before an Update, then by version or
 * event id.
 */
export function compareVersions(a: PresenceRecord, b: PresenceRecord): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'uncaptured' ? -1 : 1;
  if (a.kind === 'version' && b.kind === 'version') return a.version - b.version;
  const [x, y] = [a as UncapturedRecord, b as UncapturedRecord];
  if (x.operation !== y.operation) return x.operation === Operation.create ? -1 : 1;
  return x.eventId < y.eventId ? -1 : x.eventId > y.eventId ? 1 : 0;
}

/** Whether a record says the name existed (a version, stored or not captured), not a deletion. */
export function isPresence(record: LifecycleRecord): record is PresenceRecord {
  return record.kind !== 'tombstone';
}
