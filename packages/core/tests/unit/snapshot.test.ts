import { describe, expect, it } from 'vitest';
import { parseSelector } from '../../src/paths.js';
import { versionOf } from '../../src/resolve.js';
import { diffSnapshots, sameVersion } from '../../src/snapshot.js';
import { snapshotAt } from '../../src/testing.js';
import type { Snapshot } from '../../src/snapshot.js';
import type { LifecycleRecord, VersionRecord } from '../../src/types.js';
import { at, tombstoneRecord, versionRecord } from '../helpers/factories.js';

const v = (name: string, version: number, ms: number) => versionRecord(name, version, at(ms));
const del = (name: string, ms: number) => tombstoneRecord(name, at(ms), `evt-${name}-${ms}`);

/** name → version number, for short exact comparisons. */
function versions(snapshot: Snapshot): Record<string, number | undefined> {
  return Object.fromEntries([...snapshot].map(([name, record]) => [name, versionOf(record)]));
}

// A small account: /app/db/url is deleted at 10s and re-created at 20s; /app/cache appears at 15s;
// /app/old disappears at 12s; /application and /app itself sit next to the path.
const records: LifecycleRecord[] = [
  v('/app/db/url', 1, 1_000),
  v('/app/db/url', 2, 5_000),
  del('/app/db/url', 10_000),
  v('/app/db/url', 1, 20_000),
  v('/app/db/pool/size', 1, 1_000),
  v('/app/db/pool/size', 2, 18_000),
  v('/app/old', 1, 2_000),
  del('/app/old', 12_000),
  v('/app/cache', 1, 15_000),
  v('/app', 1, 1_000),
  v('/application', 1, 1_000),
  v('/app/region', 1, 3_000),
  v('/app/region', 2, 3_000), // same millisecond: version 2 wins
];

describe('snapshotAt', () => {
  it('gives the direct children of a path that existed at the moment', () => {
    expect(versions(snapshotAt(records, parseSelector('/app/', false), at(9_999)))).toEqual({
      '/app/old': 1,
      '/app/region': 2,
    });
  });

  it('gives every depth when recursive', () => {
    expect(versions(snapshotAt(records, parseSelector('/app/', true), at(9_999)))).toEqual({
      '/app/db/url': 2,
      '/app/db/pool/size': 1,
      '/app/old': 1,
      '/app/region': 2,
    });
  });

  it('leaves out deleted names and names not yet created, inclusive at change times', () => {
    expect(versions(snapshotAt(records, parseSelector('/app/', true), at(15_000)))).toEqual({
      '/app/db/pool/size': 1,
      '/app/region': 2,
      '/app/cache': 1,
    });
  });

  it('gives the life the name had at the moment', () => {
    const after = snapshotAt(records, parseSelector('/app/db/url', false), at(20_000));
    expect(after.get('/app/db/url')).toEqual(records[3]);
    const before = snapshotAt(records, parseSelector('/app/db/url', false), at(9_999));
    expect(before.get('/app/db/url')).toEqual(records[1]);
    expect(snapshotAt(records, parseSelector('/app/db/url', false), at(10_000)).size).toBe(0);
  });

  it('gives one key, not its children or look-alikes', () => {
    expect(versions(snapshotAt(records, parseSelector('/app', false), at(30_000)))).toEqual({ '/app': 1 });
  });

  it('is empty before anything existed', () => {
    expect(snapshotAt(records, parseSelector('/', true), at(999)).size).toBe(0);
  });

  it('resolves each name independently of the others’ records (order of input does not matter)', () => {
    const reversed = [...records].reverse();
    expect(versions(snapshotAt(reversed, parseSelector('/', true), at(30_000)))).toEqual(
      versions(snapshotAt(records, parseSelector('/', true), at(30_000))),
    );
  });
});

describe('diffSnapshots', () => {
  const selector = parseSelector('/app/', true);
  const diff = (fromMs: number, toMs: number) =>
    diffSnapshots(snapshotAt(records, selector, at(fromMs)), snapshotAt(records, selector, at(toMs))).map((e) => ({
      name: e.name,
      change: e.change,
      from: e.from && versionOf(e.from),
      to: e.to && versionOf(e.to),
    }));

  it('reports added, removed and changed, sorted by name', () => {
    expect(diff(9_999, 19_000)).toEqual([
      { name: '/app/cache', change: 'added', from: undefined, to: 1 },
      { name: '/app/db/pool/size', change: 'changed', from: 1, to: 2 },
      { name: '/app/db/url', change: 'removed', from: 2, to: undefined },
      { name: '/app/old', change: 'removed', from: 1, to: undefined },
    ]);
  });

  it('counts a re-created version 1 as changed from the old version 1', () => {
    const oneLife = [v('/app/x', 1, 1_000), del('/app/x', 2_000), v('/app/x', 1, 3_000)];
    const entries = diffSnapshots(snapshotAt(oneLife, selector, at(1_500)), snapshotAt(oneLife, selector, at(3_500)));
    expect(entries).toEqual([{ name: '/app/x', change: 'changed', from: oneLife[0], to: oneLife[2] }]);
  });

  it('reports nothing when nothing changed, and nothing for the same moment', () => {
    expect(diff(20_000, 30_000)).toEqual([]);
    expect(diff(5_000, 5_000)).toEqual([]);
  });

  it('reverses: removed becomes added', () => {
    expect(diff(19_000, 9_999).map((e) => [e.name, e.change])).toEqual([
      ['/app/cache', 'removed'],
      ['/app/db/pool/size', 'changed'],
      ['/app/db/url', 'added'],
      ['/app/old', 'added'],
    ]);
  });

  it('does not count a copy of the same record as a change', () => {
    const record = v('/app/x', 3, 1_000);
    const from: Snapshot = new Map([['/app/x', record]]);
    const to: Snapshot = new Map([['/app/x', { ...record, labels: ['prod'] } as VersionRecord]]);
    expect(diffSnapshots(from, to)).toEqual([]);
  });
});

describe('sameVersion', () => {
  it('needs the same number and the same time', () => {
    expect(sameVersion(v('/a', 1, 1_000), v('/a', 1, 1_000))).toBe(true);
    expect(sameVersion(v('/a', 1, 1_000), v('/a', 1, 3_000))).toBe(false);
    expect(sameVersion(v('/a', 1, 1_000), v('/a', 2, 1_000))).toBe(false);
  });
});
