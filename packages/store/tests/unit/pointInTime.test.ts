import { parseSelector, type VersionRecord } from '@ssmhub/core';
import { versionRecord } from '@ssmhub/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { RequestCounter, type RequestCost } from '../../src/counter.js';
import { InMemoryIndex } from '../../src/inMemoryIndex.js';
import type { CatalogEntry } from '../../src/items.js';

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

// Issue 11: a past moment must cost the catalog plus O(1) items per name changed since, not the
// history written after it. Every name below has versions before T and `after` versions after it.
describe('stateAt cost does not grow with the history after the moment', () => {
  const NAMES = 1_000;
  const BEFORE = 5;
  const START = Date.parse('2026-01-01T00:00:00.000Z');
  const STEP_MS = 60_000;
  /** Between the last version before T and the first after it. */
  const T = new Date(START + BEFORE * STEP_MS + STEP_MS / 2).toISOString();
  const selector = parseSelector('/scale/', true);

  function indexWith(after: number): InMemoryIndex {
    const records: VersionRecord[] = [];
    const catalog: CatalogEntry[] = [];
    for (let i = 0; i < NAMES; i += 1) {
      const name = `/scale/app/p${String(i).padStart(4, '0')}`;
      for (let version = 1; version <= BEFORE + after; version += 1) {
        records.push(versionRecord(name, version, new Date(START + version * STEP_MS + i).toISOString()));
      }
      const latest = records.at(-1) as VersionRecord;
      catalog.push({ ...location, name, lastSecond: `${latest.time.slice(0, 19)}.000Z`, records: [latest] });
    }
    return new InMemoryIndex().seed({ records, catalog });
  }

  /** What a preview at T and a diff from T to after the last version cost. */
  async function costs(after: number): Promise<{ preview: RequestCost; diff: RequestCost }> {
    const index = indexWith(after);
    const measure = async (moments: string[]): Promise<[Map<string, unknown>[], RequestCost]> => {
      const counter = new RequestCounter();
      return [await index.countingIn(counter).stateAt(location, selector, moments), counter.snapshot()];
    };
    const [[atT], preview] = await measure([T]);
    expect(atT?.size).toBe(NAMES);
    expect(new Set([...(atT?.values() ?? [])].map((r) => (r as VersionRecord).version))).toEqual(new Set([BEFORE]));
    const [[, end], diff] = await measure([T, new Date(START + (BEFORE + after + 1) * STEP_MS).toISOString()]);
    expect([...(end?.values() ?? [])].every((r) => (r as VersionRecord).version === BEFORE + after)).toBe(true);
    return { preview, diff };
  }

  it('reads within 1.5x as many items, requests and read units at 1 and 20 versions after T (one moment and two)', async () => {
    const shallow = await costs(1);
    const deep = await costs(20);
    for (const read of ['preview', 'diff'] as const) {
      const [a, b] = [shallow[read], deep[read]];
      expect(b.itemsRead, `${read} items read`).toBeLessThanOrEqual(a.itemsRead * 1.5);
      expect(b.dynamoRequests, `${read} requests`).toBeLessThanOrEqual(a.dynamoRequests * 1.5);
      expect(b.consumedCapacity, `${read} read units`).toBeLessThanOrEqual(a.consumedCapacity * 1.5);
      // The catalog pages plus a few items per changed name, whatever the depth.
      expect(b.itemsRead, `${read} items per name`).toBeLessThanOrEqual(NAMES * 5);
    }
  });
});
