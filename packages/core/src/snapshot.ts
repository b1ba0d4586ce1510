import type { PresenceRecord } from './types.js';

/** The parameters that existed at one moment, by name. */
export type Snapshot = ReadonlyMap<string, PresenceRecord>;

export const DiffChange = { added: 'added', removed: 'removed', changed: 'changed' } as const;
export type DiffChange = (typeof DiffChange)[keyof typeof DiffChange];

export interface DiffEntry {
  readonly name: string;
  readonly change: DiffChange;
  readonly from?: PresenceRecord;
  readonly to?: PresenceRecord;
}

/**
 * Same SSM version: same version number written at the same time (a re-created 1 is not the old
 * 1); a change whose value was not captured is the same only as itself (same event).
 */
export function sameVersion(a: PresenceRecord, b: PresenceRecord): boolean {
  if (a.kind === 'uncaptured' || b.kind === 'uncaptured') {
    return a.kind === 'uncaptured' && b.kind === 'uncaptured' && a.eventId === b.eventId;
  }
  return a.version === b.version && a.time === b.time;
}

/**
 * What changed between two snapshots, sorted by name.
 *
 * @example
 * diffSnapshots(before, after); // [{ name: '/app/db', change: 'changed', from, to }]
 */
export function diffSnapshots(from: Snapshot, to: Snapshot): DiffEntry[] {
  const names = [...new Set([...from.keys(), ...to.keys()])].sort();
  const entries: DiffEntry[] = [];
  for (const name of names) {
    const before = from.get(name);
    const after = to.get(name);
    if (before && !after) entries.push({ name, change: DiffChange.removed, from: before });
    else if (!before && after) entries.push({ name, change: DiffChange.added, to: after });
    else if (before && after && !sameVersion(before, after)) {
      entries.push({ name, change: DiffChange.changed, from: before, to: after });
    }
  }
  return entries;
}
