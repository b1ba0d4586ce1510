import {
  Operation,
  TombstoneSource,
  parseSelector,
  stateAt,
  type LifecycleRecord,
  type UncapturedRecord,
  type VersionRecord,
} from '@ssmhub/core';
import { ACCOUNT, REGION, tombstoneRecord, versionRecord } from '@ssmhub/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTimeline,
  encodeTimeline,
  markKey,
  markOf,
  mergeCatalogEntry,
  type CatalogTimeline,
} from '../../src/catalogTimeline.js';
import { stateAt as indexStateAt } from '../../src/index/pointInTime.js';
import { InMemoryIndex } from '../../src/inMemoryIndex.js';
import { versionObjectKey } from '../../src/keys.js';
import { fromCatalogItem, toCatalogItem, toLegacyCatalogItem, type CatalogEntry } from '../../src/items.js';

const location = { account: ACCOUNT, region: REGION, name: '/app/flip' };
const at = (s: number, ms = 0): string => new Date(Date.UTC(2026, 2, 1, 10, 0, s, ms)).toISOString();

function uncaptured(time: string, operation: UncapturedRecord['operation'], eventId: string): UncapturedRecord {
  return { kind: 'uncaptured', ...location, time, operation, eventId, type: 'String' };
}

describe('a catalog timeline in its stored form', () => {
  const latest = [versionRecord(location.name, 7, at(40, 5))];
  const marks: CatalogTimeline['marks'] = [
    { kind: 'version', time: at(1, 100), version: 1 },
    { kind: 'version', time: at(2, 999), version: 2 },
    {
      kind: 'tombstone',
      time: at(3),
      eventId: 'c0ffee-1, with ~odd^ chars.',
      source: TombstoneSource.event,
      precedes: at(3, 400),
    },
    { kind: 'version', time: at(3, 400), version: 1 },
    { kind: 'uncaptured', time: at(4), eventId: 'e-2', operation: Operation.update },
    { kind: 'version', time: at(20), version: 3 },
    { kind: 'tombstone', time: at(30, 250), eventId: 'sweep-2026-03-01T10:00:30.250Z', source: TombstoneSource.sweep },
    { kind: 'uncaptured', time: at(31), eventId: 'e-3', operation: Operation.create },
    { kind: 'version', time: at(39), version: 6 },
  ];

  it('round-trips every kind of mark, complete or not', () => {
    for (const complete of [true, false]) {
      const text = encodeTimeline({ marks, complete }, latest);
      expect(text).toBeDefined();
      expect(decodeTimeline(text, latest)).toEqual({ marks, complete });
    }
    expect(decodeTimeline('*', latest)).toEqual({ marks: [], complete: true });
    expect(decodeTimeline('', latest)).toEqual({ marks: [], complete: false });
  });

  it('takes a few bytes a version: its distance in base 36, its number only when not one below the next', () => {
    const minutes = [1, 2, 3, 4, 5, 6].map((v) => ({ kind: 'version' as const, time: at(0, 0), version: v }));
    const spaced = minutes.map((m, i) => ({ ...m, time: new Date(Date.parse(at(0)) + i * 60_000).toISOString() }));
    const newest = versionRecord(location.name, 7, new Date(Date.parse(at(0)) + 6 * 60_000).toISOString());
    expect(encodeTimeline({ marks: spaced, complete: true }, [newest])).toBe('*V1aaoV1aaoV1aaoV1aaoV1aaoV1aao');
    const gap = spaced.map((m) => (m.version === 3 ? { ...m, version: 9 } : m));
    expect(encodeTimeline({ marks: gap, complete: false }, [newest])).toBe('V1aaoV1aaoV1aaoV1aao.9V1aao.2V1aao');
    expect(decodeTimeline('V1aaoV1aaoV1aaoV1aao.9V1aao.2V1aao', [newest])?.marks).toEqual(gap);
  });

  it('is left out when a time is not one the store writes, and a malformed one reads as none', () => {
    expect(
      encodeTimeline(
        { marks: [{ kind: 'version', time: '2026-03-01T10:00:01Z', version: 1 }], complete: true },
        latest,
      ),
    ).toBeUndefined();
    expect(
      encodeTimeline({ marks: [{ kind: 'version', time: at(50), version: 1 }], complete: true }, latest),
    ).toBeUndefined();
    for (const text of ['V', 'X12', 'V1.2~e,', 'D12', 'V1#', 'v1', 42])
      expect(decodeTimeline(text, latest)).toBeUndefined();
    // A first mark with no version to count down from carries its number.
    expect(decodeTimeline('V12', [tombstoneRecord(location.name, at(40), 'gone')])).toBeUndefined();
  });
});

describe('a catalog item', () => {
  const version: VersionRecord = {
    ...versionRecord(location.name, 3, at(5, 120), {
      description: 'db url',
      labels: ['prod'],
      lastModifiedUser: 'arn:aws:iam::111122223333:user/ops',
      objectKey: versionObjectKey(location, at(5, 120), 3),
    }),
    objectVersionId: 'v-1',
    objectChecksum: 'c2hh',
    digest: 'ZGln',
    findings: [],
  };
  const entries: CatalogEntry[] = [
    {
      ...location,
      lastSecond: at(5),
      records: [
        version,
        tombstoneRecord(location.name, at(5), 'gone', { precedes: at(5, 120) }),
        uncaptured(at(5), Operation.create, 'u-1'),
      ],
      timeline: { marks: [markOf(versionRecord(location.name, 2, at(1)))], complete: true },
    },
    // An object key not the default one, a long name: stored whole, read back the same.
    {
      ...location,
      name: `/long/${'n'.repeat(1_500)}`,
      lastSecond: at(5),
      records: [{ ...versionRecord(`/long/${'n'.repeat(1_500)}`, 1, at(5, 1)), objectKey: 'elsewhere/1.json' }],
      timeline: { marks: [], complete: true },
    },
  ];

  it.each(entries.map((entry) => [entry.name.slice(0, 20), entry] as const))(
    'round-trips an entry of %s',
    (_, entry) => {
      expect(fromCatalogItem(structuredClone(toCatalogItem(entry)))).toEqual(entry);
    },
  );

  it('stores a record without what its key, its entry and the object-key rule say', () => {
    const item = toCatalogItem(entries[0] as CatalogEntry);
    const stored = Object.values(item.latest as Record<string, Record<string, unknown>>);
    for (const fields of stored) {
      for (const field of ['account', 'region', 'name', 'kind', 'time', 'version', 'eventId', 'objectKey']) {
        expect(fields).not.toHaveProperty(field);
      }
    }
    expect(JSON.stringify(item).length).toBeLessThan(
      JSON.stringify(toLegacyCatalogItem(entries[0] as CatalogEntry)).length,
    );
  });

  it('reads an item a hub before timelines wrote as its latest second only', () => {
    const { timeline: _, ...legacy } = entries[0] as CatalogEntry;
    expect(fromCatalogItem(toLegacyCatalogItem(entries[0] as CatalogEntry))).toEqual(legacy);
  });
});

// The contract that makes point-in-time reads from the catalog right: an entry merged from what
// each writer knew, in any order, any number of times, answers every moment as the records do.
describe('merged catalog entries answer as the records do', () => {
  /** One name's history: versions in lives, deletions between, some changes not captured. */
  const historyArbitrary = fc
    .array(
      fc.record({
        kind: fc.constantFrom('version', 'version', 'version', 'tombstone', 'uncaptured'),
        gapMs: fc.constantFrom(0, 1, 300, 999, 1_000, 1_500, 60_000),
      }),
      { minLength: 1, maxLength: 40 },
    )
    .map((steps) => {
      const records: LifecycleRecord[] = [];
      let now = Date.parse(at(0));
      let version = 0;
      steps.forEach((step, i) => {
        now += step.gapMs;
        const time = new Date(now).toISOString();
        const second = `${time.slice(0, 19)}.000Z`;
        if (step.kind === 'tombstone') {
          if (version === 0) return;
          records.push(tombstoneRecord(location.name, second, `d-${i}`));
          version = 0;
        } else if (step.kind === 'uncaptured') {
          records.push(uncaptured(second, version === 0 ? Operation.create : Operation.update, `u-${i}`));
          version += 1;
        } else {
          version += 1;
          records.push(versionRecord(location.name, version, time));
        }
      });
      return records;
    });

  it('whatever the limit, the order of the writes and their repetition', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary,
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.boolean(),
        async (history, limit, order, legacyFirst) => {
          if (history.length === 0) return;
          // Writers arrive in a shuffled order (some twice), each telling the records from its own
          // record's second on that are stored by then, plus its own: what ingest reads and writes.
          const arrivals = history.map((_, i) => i);
          order.forEach((n, i) => {
            const j = n % arrivals.length;
            const k = i % arrivals.length;
            [arrivals[j], arrivals[k]] = [arrivals[k] as number, arrivals[j] as number];
          });
          arrivals.push(...order.slice(0, 5).map((n) => n % history.length));
          const stored = new Set<LifecycleRecord>();
          let entry: CatalogEntry | undefined;
          for (const [step, i] of arrivals.entries()) {
            const own = history[i] as LifecycleRecord;
            const since = `${own.time.slice(0, 19)}.000Z`;
            const known = history.filter((r) => stored.has(r) && r.time >= since);
            entry = mergeCatalogEntry(entry, location, { since, records: [...known, own] }, limit);
            stored.add(own);
            // Through the stored form, and once as a hub before timelines wrote it.
            if (entry)
              entry = fromCatalogItem(step === 0 && legacyFirst ? toLegacyCatalogItem(entry) : toCatalogItem(entry));
          }
          const index = new InMemoryIndex().seed({ records: history, catalog: entry ? [entry] : [] });
          const moments = [
            at(0, -1),
            ...history.flatMap((r) => {
              const ms = Date.parse(r.time);
              return [ms - 1, ms, ms + 1, ms + 999].map((t) => new Date(t).toISOString());
            }),
          ];
          const snapshots = await indexStateAt(index, location, parseSelector(location.name, false), moments);
          moments.forEach((moment, m) => {
            const truth = stateAt(history, moment);
            expect(snapshots[m]?.get(location.name), moment).toEqual(truth.exists ? truth.record : undefined);
          });
          // The entry knows the latest second and at most `limit` records in all (a second is never cut).
          const newest = history
            .map((r) => markKey(r))
            .sort()
            .at(-1) as string;
          expect(entry?.records.map(markKey)).toContain(newest);
          const known = (entry?.records.length ?? 0) + (entry?.timeline?.marks.length ?? 0);
          if (entry?.timeline?.marks.length) expect(known).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 300 },
    );
  });
});
