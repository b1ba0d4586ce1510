import { parseSelector, type IndexRecord, type VersionRecord } from '@ssmhub/core';
import { tombstoneRecord, versionRecord } from '@ssmhub/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { CATALOG_TIMELINE_LIMIT } from '../../src/catalogTimeline.js';
import { RequestCounter, type RequestCost } from '../../src/counter.js';
import { InMemoryIndex } from '../../src/inMemoryIndex.js';
import type { CatalogEntry } from '../../src/items.js';
import { catalogEntryFor } from '../../src/testing.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const location = { account: ACCOUNT, region: REGION };

describe('stateOf', () => {
  it('reads older pages of one name until the records decide the state', async () => {
    const name = '/app/a';
    // Three versions in the moment's latest second fill the first page without proving it complete.
    const index = new InMemoryIndex().seed({
      records: [
        versionRecord(name, 1, '2026-01-01T00:01:00.000Z'),
        versionRecord(name, 2, '2026-01-01T00:02:59.100Z'),
        versionRecord(name, 3, '2026-01-01T00:02:59.200Z'),
        versionRecord(name, 4, '2026-01-01T00:02:59.300Z'),
        versionRecord(name, 9, '2026-01-01T00:09:00.000Z'),
      ],
    });
    const before = vi.spyOn(index.records, 'before');

    const state = await index.stateOf({ ...location, name }, '2026-01-01T00:03:00.000Z');

    expect(state.exists && (state.record as VersionRecord).version).toBe(4);
    expect(before.mock.calls.map(([, , page]) => page.limit)).toEqual([3, 12]);
  });
});

// Issues 11 and 20: a past moment costs the catalog pages plus a request per 100 names changed
// since (their records by BatchGetItem), and no more items or read units however much history came
// after it. Every name below has versions before T and `after` versions after it.
describe('stateAt cost does not grow with the history after the moment', () => {
  const NAMES = 1_000;
  const BEFORE = 5;
  const START = Date.parse('2026-01-01T00:00:00.000Z');
  const STEP_MS = 60_000;
  /** Between the last version before T and the first after it. */
  const T = new Date(START + BEFORE * STEP_MS + STEP_MS / 2).toISOString();
  const selector = parseSelector('/scale/', true);
  const nameOf = (i: number): string => `/scale/app/p${String(i).padStart(4, '0')}`;

  interface Shape {
    /** Versions after T, for the names that changed after it. */
    readonly after: number;
    /** How many of the names changed after T (the first ones). @default NAMES */
    readonly changed?: number;
    /** `legacy`: catalog entries as a hub before timelines wrote them. @default 'timeline' */
    readonly catalog?: 'timeline' | 'legacy';
  }

  function indexWith(shape: Shape): InMemoryIndex {
    const records: VersionRecord[] = [];
    const timelines: CatalogEntry[] = [];
    const legacy: CatalogEntry[] = [];
    for (let i = 0; i < NAMES; i += 1) {
      const name = nameOf(i);
      const versions = BEFORE + (i < (shape.changed ?? NAMES) ? shape.after : 0);
      const own: VersionRecord[] = [];
      for (let version = 1; version <= versions; version += 1) {
        own.push(versionRecord(name, version, new Date(START + version * STEP_MS + i).toISOString()));
      }
      records.push(...own);
      const latest = own.at(-1) as VersionRecord;
      timelines.push(catalogEntryFor({ ...location, name }, own));
      legacy.push({ ...location, name, lastSecond: `${latest.time.slice(0, 19)}.000Z`, records: [latest] });
    }
    return new InMemoryIndex().seed(
      shape.catalog === 'legacy' ? { records, legacyCatalog: legacy } : { records, catalog: timelines },
    );
  }

  async function measure(index: InMemoryIndex, moments: string[]): Promise<[Map<string, unknown>[], RequestCost]> {
    const counter = new RequestCounter();
    return [await index.countingIn(counter).stateAt(location, selector, moments), counter.snapshot()];
  }

  /** What reading the selected catalog alone costs (its pages). */
  async function catalogCost(index: InMemoryIndex): Promise<RequestCost> {
    const counter = new RequestCounter();
    await index.countingIn(counter).catalog.range(location, '/scale/');
    return counter.snapshot();
  }

  /** What a preview at T and a diff from T to after the last version cost; each answer checked. */
  async function costs(shape: Shape): Promise<{ preview: RequestCost; diff: RequestCost; catalog: RequestCost }> {
    const index = indexWith(shape);
    const changed = shape.changed ?? NAMES;
    const [[atT], preview] = await measure(index, [T]);
    expect(atT?.size).toBe(NAMES);
    expect(new Set([...(atT?.values() ?? [])].map((r) => (r as VersionRecord).version))).toEqual(new Set([BEFORE]));
    const [[before, end], diff] = await measure(index, [
      T,
      new Date(START + (BEFORE + shape.after + 1) * STEP_MS).toISOString(),
    ]);
    expect(before).toEqual(atT);
    const last = [...(end?.entries() ?? [])].map(([name, r]) => [name, (r as VersionRecord).version]);
    expect(last).toEqual(
      Array.from({ length: NAMES }, (_, i) => [nameOf(i), i < changed ? BEFORE + shape.after : BEFORE]),
    );
    // Each answer is the stored record itself, metadata and all.
    expect(atT?.get(nameOf(0))).toEqual(
      versionRecord(nameOf(0), BEFORE, new Date(START + BEFORE * STEP_MS).toISOString()),
    );
    return { preview, diff, catalog: await catalogCost(index) };
  }

  it('reads within 1.5x as many items, requests and read units at 1 and 20 versions after T (one moment and two)', async () => {
    const shallow = await costs({ after: 1 });
    const deep = await costs({ after: 20 });
    for (const read of ['preview', 'diff'] as const) {
      const [a, b] = [shallow[read], deep[read]];
      expect(b.itemsRead, `${read} items read`).toBeLessThanOrEqual(a.itemsRead * 1.5);
      expect(b.dynamoRequests, `${read} requests`).toBeLessThanOrEqual(a.dynamoRequests * 1.5);
      expect(b.consumedCapacity, `${read} read units`).toBeLessThanOrEqual(a.consumedCapacity * 1.5);
      // The catalog pages plus a few items per changed name, whatever the depth.
      expect(b.itemsRead, `${read} items per name`).toBeLessThanOrEqual(NAMES * 5);
    }
  });

  it(`costs the catalog pages plus one request per 100 changed names while T is within ${CATALOG_TIMELINE_LIMIT} changes`, async () => {
    for (const shape of [
      { after: 1 },
      { after: 7, changed: 250 },
      { after: CATALOG_TIMELINE_LIMIT - 1 },
      { after: CATALOG_TIMELINE_LIMIT - 1, changed: 1 },
    ]) {
      const { preview, diff, catalog } = await costs(shape);
      const batches = Math.ceil((shape.changed ?? NAMES) / 100);
      for (const [read, cost] of [
        ['preview', preview],
        ['diff', diff],
      ] as const) {
        expect(cost.dynamoRequests, `${read} requests, ${JSON.stringify(shape)}`).toBeLessThanOrEqual(
          catalog.dynamoRequests + batches,
        );
        // The catalog, and one item per changed name.
        expect(cost.itemsRead, `${read} items, ${JSON.stringify(shape)}`).toBe(NAMES + (shape.changed ?? NAMES));
      }
    }
  });

  it('stays flat in items and read units past the timeline: one small read per name changed more often', async () => {
    const within = await costs({ after: 1 });
    const past = await costs({ after: CATALOG_TIMELINE_LIMIT });
    const far = await costs({ after: 2 * CATALOG_TIMELINE_LIMIT });
    for (const read of ['preview', 'diff'] as const) {
      expect(far[read].consumedCapacity, `${read} read units`).toBeLessThanOrEqual(within[read].consumedCapacity * 1.5);
      expect(far[read].itemsRead, `${read} items per name`).toBeLessThanOrEqual(NAMES * 5);
      // Past the timeline, depth costs nothing more (the catalog's marks only count higher).
      expect(far[read]).toMatchObject({ dynamoRequests: past[read].dynamoRequests, itemsRead: past[read].itemsRead });
      expect(far[read].dynamoRequests).toBeLessThanOrEqual(far.catalog.dynamoRequests + NAMES);
    }
  });

  it('reads an entry written before timelines as before: the catalog, then one small read per changed name', async () => {
    const { preview, catalog } = await costs({ after: 1, catalog: 'legacy' });
    expect(preview.dynamoRequests).toBe(catalog.dynamoRequests + NAMES);
  });
});

describe('stateAt from catalog timelines', () => {
  const name = '/app/flip';
  const at = (s: number, ms = 0): string => new Date(Date.UTC(2026, 2, 1, 10, 0, s, ms)).toISOString();

  it('resolves deletions, re-creations and moments before the first record from the catalog, fetching only the versions', async () => {
    const history: IndexRecord[] = [
      versionRecord(name, 1, at(1, 100)),
      versionRecord(name, 2, at(2)),
      tombstoneRecord(name, at(3), 'delete-1'),
      versionRecord(name, 1, at(3, 400)),
      tombstoneRecord(name, at(5), 'delete-2'),
      versionRecord(name, 1, at(8)),
      versionRecord(name, 2, at(9)),
    ];
    const index = new InMemoryIndex().seed({
      records: history,
      catalog: [catalogEntryFor({ ...location, name }, history)],
    });
    const moments = [at(0), at(1, 100), at(2, 500), at(3, 200), at(4), at(6), at(8, 500), at(10)];
    const counter = new RequestCounter();
    const snapshots = await index.countingIn(counter).stateAt(location, parseSelector(name, false), moments);
    expect(snapshots.map((s) => s.get(name) && [(s.get(name) as VersionRecord).version, s.get(name)?.time])).toEqual([
      undefined,
      [1, at(1, 100)],
      [2, at(2)],
      undefined,
      [1, at(3, 400)],
      undefined,
      [1, at(8)],
      [2, at(9)],
    ]);
    // The entry (GetItem), then one BatchGetItem for the three older versions; no Query.
    expect(counter.calls).toEqual({ 'DynamoDB.GetItem': 1, 'DynamoDB.BatchGetItem': 1 });
  });

  it('reads the records when the catalog names a record that is not stored (written before it, a crash in between)', async () => {
    const v1 = versionRecord(name, 1, at(1));
    const v2 = versionRecord(name, 2, at(2));
    const v3 = versionRecord(name, 3, at(3));
    // v2 is in the catalog's timeline, its record never written.
    const index = new InMemoryIndex().seed({
      records: [v1, v3],
      catalog: [catalogEntryFor({ ...location, name }, [v1, v2, v3])],
    });
    const [snapshot] = await index.stateAt(location, parseSelector(name, false), [at(2, 500)]);
    expect(snapshot?.get(name)).toEqual(v1);
  });
});
