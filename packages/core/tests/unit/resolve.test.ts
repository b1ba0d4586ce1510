import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { latestSecond, orderTimeline, stateAt, versionOf } from '../../src/resolve.js';
import { needsEarlierHistory } from '../../src/testing.js';
import type { LifecycleRecord, ParameterState } from '../../src/types.js';
import { at, tombstoneRecord, versionRecord } from '../helpers/factories.js';

const NAME = '/app/db/url';
const v = (version: number, ms: number) => versionRecord(NAME, version, at(ms));
/** A deletion event in the whole second that contains `ms`. */
const del = (ms: number, eventId = `evt-${ms}`) => tombstoneRecord(NAME, at(Math.floor(ms / 1000) * 1000), eventId);

/** `{version, time}` of the live version, or null: short to compare, exact on which life. */
function live(state: ParameterState): { version: number | undefined; time: string } | null {
  return state.exists ? { version: versionOf(state.record), time: state.record.time } : null;
}

function liveAt(records: readonly LifecycleRecord[], ms: number, enteringAlive = false) {
  return live(stateAt(records, at(ms), enteringAlive));
}

/** Every permutation of a small list (records arrive in any order). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('stateAt: versions only', () => {
  const records = [v(1, 1_500), v(2, 5_000), v(3, 12_250)];

  it('is absent before the first version', () => {
    expect(liveAt(records, 1_499)).toBeNull();
    expect(stateAt(records, at(-86_400_000))).toEqual({ exists: false });
    expect(stateAt([], at(0))).toEqual({ exists: false });
  });

  it('counts a version at exactly `at` (inclusive)', () => {
    expect(liveAt(records, 1_500)).toEqual({ version: 1, time: at(1_500) });
    expect(liveAt(records, 5_000)).toEqual({ version: 2, time: at(5_000) });
    expect(liveAt(records, 12_250)).toEqual({ version: 3, time: at(12_250) });
  });

  it('keeps the earlier version until the next one (one millisecond before)', () => {
    expect(liveAt(records, 4_999)).toEqual({ version: 1, time: at(1_500) });
    expect(liveAt(records, 12_249)).toEqual({ version: 2, time: at(5_000) });
  });

  it('keeps the last version for ever after', () => {
    expect(liveAt(records, 10 * 86_400_000)).toEqual({ version: 3, time: at(12_250) });
  });

  it('returns the whole record', () => {
    const state = stateAt(records, at(6_000));
    expect(state).toEqual({ exists: true, record: records[1] });
  });

  it('does not depend on the order records are given in', () => {
    for (const order of permutations(records)) {
      expect(liveAt(order, 4_999)).toEqual({ version: 1, time: at(1_500) });
      expect(liveAt(order, 12_250)).toEqual({ version: 3, time: at(12_250) });
    }
  });

  it('orders two versions of the same millisecond by version number', () => {
    for (const order of permutations([v(2, 3_000), v(3, 3_000), v(1, 1_000)])) {
      expect(liveAt(order, 3_000)).toEqual({ version: 3, time: at(3_000) });
      expect(liveAt(order, 2_999)).toEqual({ version: 1, time: at(1_000) });
    }
    // Numerically, not as text: 10 comes after 9.
    expect(liveAt([v(10, 3_000), v(9, 3_000)], 3_000)?.version).toBe(10);
  });

  it('reads `at` as an instant, whatever ISO form it is given in', () => {
    const late = [v(1, 500)]; // 10:00:00.500
    expect(live(stateAt(late, '2026-11-21T10:00:00Z'))).toBeNull();
    expect(live(stateAt(late, '2026-11-21T11:00:00+01:00'))).toBeNull();
    expect(live(stateAt(late, '2026-11-21T10:00:01Z'))).toEqual({ version: 1, time: at(500) });
  });

  it('refuses an `at` that is not a time instead of comparing it as text', () => {
    expect(() => stateAt(records, 'tomorrow')).toThrow(InvalidInputError);
  });
});

describe('stateAt: deletions', () => {
  it('is present before a deletion and absent from its second on', () => {
    const records = [v(1, 1_500), v(2, 2_500), del(7_000)];
    expect(liveAt(records, 6_999)).toEqual({ version: 2, time: at(2_500) });
    expect(stateAt(records, at(7_000))).toEqual({ exists: false, record: records[2] });
    expect(liveAt(records, 7_999)).toBeNull();
    expect(liveAt(records, 86_400_000)).toBeNull();
  });

  it('places a deletion at its event second, never later (processing time plays no part)', () => {
    const timeline = orderTimeline([v(1, 1_500), del(7_000)]);
    expect(timeline.map((e) => [e.record.kind, e.effectiveTime])).toEqual([
      ['version', at(1_500)],
      ['tombstone', at(7_000)],
    ]);
  });

  it('keeps the two lives of a re-created parameter apart', () => {
    const first = [v(1, 1_000), v(2, 2_000), v(3, 3_000)];
    const second = [v(1, 9_000), v(2, 11_000)];
    const records = [...second, del(5_000), ...first];
    const expected: Array<[number, { version: number; time: string } | null]> = [
      [999, null],
      [1_000, { version: 1, time: at(1_000) }],
      [2_999, { version: 2, time: at(2_000) }],
      [3_000, { version: 3, time: at(3_000) }],
      [4_999, { version: 3, time: at(3_000) }],
      [5_000, null],
      [8_999, null],
      [9_000, { version: 1, time: at(9_000) }],
      [10_999, { version: 1, time: at(9_000) }],
      [11_000, { version: 2, time: at(11_000) }],
      [99_000, { version: 2, time: at(11_000) }],
    ];
    for (const [ms, state] of expected) expect([ms, liveAt(records, ms)]).toEqual([ms, state]);
  });

  it('deletion then re-creation in the same second: the deletion comes first (entering alive)', () => {
    // v3 lives from 3.000; the name is deleted in second 5 and created again at 5.300.
    const records = [v(1, 1_000), v(3, 3_000), v(2, 2_000), v(1, 5_300), del(5_000)];
    for (const order of permutations(records)) {
      expect(liveAt(order, 4_999)).toEqual({ version: 3, time: at(3_000) });
      expect(liveAt(order, 5_000)).toBeNull();
      expect(liveAt(order, 5_299)).toBeNull();
      expect(liveAt(order, 5_300)).toEqual({ version: 1, time: at(5_300) });
      expect(liveAt(order, 6_000)).toEqual({ version: 1, time: at(5_300) });
    }
  });

  it('update, deletion and re-creation in one second: the deletion falls between them', () => {
    const records = [v(1, 1_000), v(2, 5_100), del(5_000), v(1, 5_600), v(2, 5_800)];
    for (const order of permutations(records)) {
      expect(liveAt(order, 5_099)).toEqual({ version: 1, time: at(1_000) });
      expect(liveAt(order, 5_100)).toEqual({ version: 2, time: at(5_100) });
      expect(liveAt(order, 5_599)).toBeNull();
      expect(liveAt(order, 5_600)).toEqual({ version: 1, time: at(5_600) });
      expect(liveAt(order, 5_800)).toEqual({ version: 2, time: at(5_800) });
    }
  });

  it('creation then deletion in the same second: the deletion comes after (entering dead)', () => {
    const records = [v(1, 5_300), del(5_000)];
    for (const order of permutations(records)) {
      expect(liveAt(order, 5_000)).toBeNull();
      expect(liveAt(order, 5_299)).toBeNull();
      expect(liveAt(order, 5_300)).toEqual({ version: 1, time: at(5_300) });
      expect(liveAt(order, 5_301)).toBeNull();
      expect(liveAt(order, 6_000)).toBeNull();
    }
  });

  it('update then deletion in the same second: the update counts at its own millisecond', () => {
    const records = [v(1, 1_000), v(2, 5_400), del(5_000)];
    for (const order of permutations(records)) {
      expect(liveAt(order, 5_000)).toEqual({ version: 1, time: at(1_000) });
      expect(liveAt(order, 5_399)).toEqual({ version: 1, time: at(1_000) });
      expect(liveAt(order, 5_400)).toEqual({ version: 2, time: at(5_400) });
      expect(liveAt(order, 5_401)).toBeNull();
      expect(liveAt(order, 9_000)).toBeNull();
    }
  });

  it('a deletion never takes effect outside its own second', () => {
    // A version at the second's last millisecond, then a deletion reported in the same second.
    const timeline = orderTimeline([v(1, 1_000), v(2, 5_999), del(5_000)]);
    const tombstone = timeline.find((e) => e.record.kind === 'tombstone');
    expect(tombstone?.effectiveTime).toBe(at(5_999));
    expect(liveAt([v(1, 1_000), v(2, 5_999), del(5_000)], 6_000)).toBeNull();
  });

  it('create, delete, create, delete in one second', () => {
    const records = [v(1, 5_100), del(5_000, 'a'), v(1, 5_500), del(5_000, 'b')];
    for (const order of permutations(records)) {
      expect(liveAt(order, 5_099)).toBeNull();
      expect(liveAt(order, 5_100)).toEqual({ version: 1, time: at(5_100) });
      expect(liveAt(order, 5_499)).toBeNull();
      expect(liveAt(order, 5_500)).toEqual({ version: 1, time: at(5_500) });
      expect(liveAt(order, 5_501)).toBeNull();
    }
  });

  it('keeps the timeline in time order', () => {
    const records = [v(1, 1_000), v(2, 5_100), del(5_000, 'a'), v(1, 5_600), del(5_000, 'b'), v(1, 8_000)];
    const times = orderTimeline(records).map((e) => e.effectiveTime);
    expect(times).toEqual([...times].sort());
    expect(orderTimeline(records).map((e) => e.record.kind)).toEqual([
      'version',
      'version',
      'tombstone',
      'version',
      'tombstone',
      'version',
    ]);
  });
});

describe('stateAt: duplicates', () => {
  it('counts a duplicated record once', () => {
    const records = [v(1, 1_000), v(2, 2_000), del(5_000)];
    const duplicated = [...records, ...records.map((r) => ({ ...r })), { ...records[2]! }];
    expect(orderTimeline(duplicated)).toHaveLength(3);
    expect(liveAt(duplicated, 4_000)).toEqual({ version: 2, time: at(2_000) });
    expect(liveAt(duplicated, 5_000)).toBeNull();
  });

  it('does not let a replayed deletion eat a re-creation', () => {
    // Entering alive, one deletion then a new life in the same second; the deletion event was
    // delivered twice. Counted twice, the copy would be left over and kill the new life.
    const records = [v(4, 1_000), del(5_000, 'evt-x'), del(5_000, 'evt-x'), v(1, 5_300)];
    expect(liveAt(records, 5_300)).toEqual({ version: 1, time: at(5_300) });
    expect(liveAt(records, 9_000)).toEqual({ version: 1, time: at(5_300) });
  });

  it('keeps two distinct deletions of one second as two', () => {
    const records = [v(4, 1_000), del(5_000, 'evt-a'), del(5_000, 'evt-b'), v(1, 5_300)];
    expect(orderTimeline(records).filter((e) => e.record.kind === 'tombstone')).toHaveLength(2);
    expect(liveAt(records, 5_300)).toEqual({ version: 1, time: at(5_300) });
    expect(liveAt(records, 5_301)).toBeNull();
  });

  it('keeps version 1 of two lives as two records', () => {
    const records = [v(1, 1_000), del(2_000), v(1, 3_000)];
    expect(orderTimeline(records)).toHaveLength(3);
  });
});

describe('needsEarlierHistory', () => {
  it('is true for a deletion with a version 1 first in the second', () => {
    expect(needsEarlierHistory([del(5_000), v(1, 5_300)])).toBe(true);
    expect(needsEarlierHistory([v(2, 5_800), v(1, 5_300), del(5_000)])).toBe(true);
  });

  it('is false without a deletion, or when the second starts with a later version', () => {
    expect(needsEarlierHistory([v(1, 5_300)])).toBe(false);
    expect(needsEarlierHistory([v(1, 5_300), v(2, 5_400)])).toBe(false);
    expect(needsEarlierHistory([del(5_000)])).toBe(false);
    expect(needsEarlierHistory([v(3, 5_300), del(5_000)])).toBe(false);
    expect(needsEarlierHistory([v(3, 5_100), v(1, 5_300), del(5_000)])).toBe(false);
    expect(needsEarlierHistory([])).toBe(false);
  });

  it('is true exactly when the state inside the second depends on what came before', () => {
    const seconds: LifecycleRecord[][] = [
      [del(5_000), v(1, 5_300)],
      [v(1, 5_300), v(2, 5_700), del(5_000)],
      [v(1, 5_100), del(5_000, 'a'), v(1, 5_500), del(5_000, 'b')],
      [v(1, 5_300)],
      [del(5_000)],
      [v(3, 5_300), del(5_000)],
      [v(3, 5_100), del(5_000), v(1, 5_500)],
      [v(2, 5_100), v(3, 5_200)],
    ];
    for (const records of seconds) {
      let differs = false;
      for (let ms = 5_000; ms < 6_000; ms += 1) {
        const alive = live(stateAt(records, at(ms), true));
        const dead = live(stateAt(records, at(ms), false));
        if (JSON.stringify(alive) !== JSON.stringify(dead)) differs = true;
      }
      expect([records, differs]).toEqual([records, needsEarlierHistory(records)]);
    }
  });

  it('is answered by enteringAlive: the catalog’s last second resolves like the full history', () => {
    const history = [v(1, 1_000), v(2, 2_000), del(5_000), v(1, 5_300)];
    const lastSecond = history.filter((r) => r.time >= at(5_000));
    expect(needsEarlierHistory(lastSecond)).toBe(true);
    expect(liveAt(lastSecond, 9_000, true)).toEqual(liveAt(history, 9_000));
    expect(liveAt(lastSecond, 9_000, false)).not.toEqual(liveAt(history, 9_000));
  });
});

describe('latestSecond', () => {
  it('is undefined without records', () => {
    expect(latestSecond([])).toBeUndefined();
  });

  it('is the whole second of the latest record, versions and tombstones alike', () => {
    expect(latestSecond([v(1, 1_999), v(2, 3_456), del(2_000)])).toBe(at(3_000));
    expect(latestSecond([v(1, 1_999), del(4_000), v(2, 3_456)])).toBe(at(4_000));
  });

  it('compares whole seconds across minutes, hours and days', () => {
    expect(latestSecond([v(1, 59_999), v(2, 86_399_999), v(3, 3_600_000)])).toBe(at(86_399_000));
  });
});

describe('a deletion known to precede a re-creation (TombstoneRecord.precedes)', () => {
  it('orders "deleted, then re-created" in one second although the earlier life was never read', () => {
    const recreated = v(1, 10_400);
    const deletion = { ...del(10_000), precedes: recreated.time };
    // Without the hint the only reading of these two records is "created, then deleted".
    expect(live(stateAt([del(10_000), recreated], at(20_000)))).toBeNull();
    expect(live(stateAt([deletion, recreated], at(20_000)))).toEqual({ version: 1, time: recreated.time });
    expect(live(stateAt([deletion, recreated], at(10_399)))).toBeNull();
    expect(needsEarlierHistory([deletion, recreated])).toBe(false);
    expect(needsEarlierHistory([del(10_000), recreated])).toBe(true);
  });

  it('places a known deletion between two lives begun in the same second', () => {
    const created = v(1, 10_100);
    const recreated = v(1, 10_600);
    const deletion = { ...del(10_000, 'a'), precedes: recreated.time };
    const timeline = orderTimeline([recreated, deletion, created]).map((e) =>
      e.record.kind === 'version' ? `v@${e.record.time.slice(17)}` : `deleted:${e.record.eventId}`,
    );
    expect(timeline).toEqual(['v@10.100Z', 'deleted:a', 'v@10.600Z']);
    expect(live(stateAt([recreated, deletion, created], at(10_300)))).toBeNull();
    expect(live(stateAt([recreated, deletion, created], at(10_100)))).toEqual({ version: 1, time: created.time });
  });
});

describe('a deletion found by the reconcile sweep', () => {
  const sweepDeletion = (ms: number) => ({
    ...tombstoneRecord(NAME, at(ms), `sweep-${at(ms)}`),
    source: 'sweep' as const,
  });

  it('takes effect at its own millisecond, after a version 1 written earlier in the same second', () => {
    const created = v(1, 10_100);
    const found = sweepDeletion(10_600);
    for (const enteringAlive of [true, false]) {
      expect(live(stateAt([created, found], at(10_599), enteringAlive))).toEqual({ version: 1, time: created.time });
      expect(live(stateAt([created, found], at(10_600), enteringAlive))).toBeNull();
    }
  });

  it('comes before a re-creation written after it in the same second', () => {
    const found = sweepDeletion(10_200);
    const recreated = v(1, 10_700);
    expect(live(stateAt([v(3, 9_000), found, recreated], at(10_500)))).toBeNull();
    expect(live(stateAt([v(3, 9_000), found, recreated], at(10_700)))).toEqual({ version: 1, time: recreated.time });
  });
});

describe('several lives ending in one second', () => {
  it('puts every deletion known to precede a re-creation before it', () => {
    const last = v(1, 10_005);
    const first = { ...del(10_000, 'a'), precedes: last.time };
    const second = { ...del(10_000, 'b'), precedes: last.time };
    expect(live(stateAt([first, second, last], at(20_000)))).toEqual({ version: 1, time: last.time });
    expect(live(stateAt([first, second, last], at(10_004)))).toBeNull();
  });
});
