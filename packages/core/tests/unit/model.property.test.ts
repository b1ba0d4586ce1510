/**
 * Invariants 2–4 at the domain level: random operation sequences against a model of SSM, their
 * index records duplicated and shuffled (as duplicated, reordered, late or replayed events leave
 * them), must resolve to the model's state at every moment.
 *
 * What the index can know — and the one thing it cannot:
 *
 * A version carries SSM's millisecond LastModifiedDate; a deletion only its EventBridge event's
 * whole second. Which records of a second come before a deletion is always decidable (a version 1
 * after a live version starts a new life, so a deletion lies before it; other deletions come after
 * the second's last version), but the deletion's exact millisecond is lost. orderTimeline places
 * it at the earliest instant it can have happened: its second, or 1 ms after the version of that
 * name before it in that second. So for a deletion really at `d`, inside the window
 * [earliest(d), d) the index already reads the name as deleted while SSM still had it — at most
 * 999 ms, never across a version, never outside the deletion's second.
 *
 * Hence two properties, neither weakened:
 *  1. Deletions generated only at the earliest instant their record allows ("what the index can
 *     know"): the index equals the model at every moment.
 *  2. Deletions at any millisecond: the index equals the model at every moment outside those
 *     windows, and inside them it equals the model with the deletion moved to its earliest instant
 *     (checked exactly, not skipped).
 *
 * Other limits of the generator, also limits of the data: operations on one name have strictly
 * increasing milliseconds (two SSM writes of one name in the same millisecond — say version 5, a
 * deletion and a new version 1 — would tie, and ties are ordered by version number); clocks of SSM
 * and EventBridge agree (a deletion event's second is the second the deletion happened in).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSelector } from '../../src/paths.js';
import { orderTimeline, stateAt, versionOf } from '../../src/resolve.js';
import { needsEarlierHistory, snapshotAt } from '../../src/testing.js';
import type { LifecycleRecord } from '../../src/types.js';
import { BASE_MS, tombstoneRecord, versionRecord } from '../helpers/factories.js';

const NAMES = ['/app/db/url', '/app/db', 'top', '/top'] as const;
type Name = (typeof NAMES)[number];

interface Operation {
  readonly name: Name;
  readonly kind: 'put' | 'delete';
  /** Milliseconds since the previous operation (of any name). */
  readonly gap: number;
}

/** What SSM held for one name from `from` (inclusive) on: a version (its number and time) or nothing. */
interface Change {
  readonly from: number;
  readonly state: { readonly version: number | undefined; readonly time: number } | null;
}

interface Scenario {
  readonly records: LifecycleRecord[];
  /** Per name, the model's changes in time order (what SSM really went through). */
  readonly truth: Map<Name, Change[]>;
  /** Per name, the same changes with every deletion moved to its earliest knowable instant. */
  readonly knowable: Map<Name, Change[]>;
  /** Every instant worth checking. */
  readonly checkTimes: number[];
}

const secondStart = (ms: number): number => Math.floor(ms / 1000) * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Runs `operations` against a model of SSM: a put makes the next version (version 1 on a name that
 * does not exist, including after a deletion); a delete of a name that does not exist is refused
 * (SSM answers ParameterNotFound and emits nothing). With `snapDeletions`, each deletion happens
 * at the earliest instant its record allows (property 1).
 */
function runModel(start: number, operations: readonly Operation[], snapDeletions: boolean): Scenario {
  const records: LifecycleRecord[] = [];
  const truth = new Map<Name, Change[]>(NAMES.map((n) => [n, []]));
  const knowable = new Map<Name, Change[]>(NAMES.map((n) => [n, []]));
  const current = new Map<Name, { version: number; time: number } | null>(NAMES.map((n) => [n, null]));
  const lastVersionTime = new Map<Name, number>();
  const checkTimes = new Set<number>([start - 1, start]);
  let clock = start;
  let deletions = 0;
  for (const op of operations) {
    clock += op.gap;
    const live = current.get(op.name) ?? null;
    if (op.kind === 'put') {
      const state = { version: live ? live.version + 1 : 1, time: clock };
      current.set(op.name, state);
      lastVersionTime.set(op.name, clock);
      records.push(versionRecord(op.name, state.version, iso(clock)));
      truth.get(op.name)?.push({ from: clock, state });
      knowable.get(op.name)?.push({ from: clock, state });
      for (const t of [clock - 1, clock, clock + 1]) checkTimes.add(t);
      continue;
    }
    if (!live) continue;
    // The earliest instant the index can place this deletion at: its second, or just after this
    // name's version before it in the same second.
    const previous = lastVersionTime.get(op.name) ?? -Infinity;
    const earliest = Math.max(secondStart(clock), previous + 1);
    const at = snapDeletions ? earliest : clock;
    current.set(op.name, null);
    deletions += 1;
    records.push(tombstoneRecord(op.name, iso(secondStart(at)), `evt-${String(deletions).padStart(4, '0')}`));
    truth.get(op.name)?.push({ from: at, state: null });
    knowable.get(op.name)?.push({ from: earliest, state: null });
    for (const t of [earliest - 1, earliest, at - 1, at, at + 1, secondStart(at), secondStart(at) + 999]) {
      checkTimes.add(t);
    }
  }
  checkTimes.add(clock + 86_400_000);
  return { records, truth, knowable, checkTimes: [...checkTimes].sort((a, b) => a - b) };
}

function stateOf(changes: readonly Change[], t: number): Change['state'] {
  let state: Change['state'] = null;
  for (const change of changes) {
    if (change.from > t) break;
    state = change.state;
  }
  return state;
}

function resolved(records: readonly LifecycleRecord[], name: Name, t: number, enteringAlive = false): Change['state'] {
  const state = stateAt(
    records.filter((r) => r.name === name),
    iso(t),
    enteringAlive,
  );
  return state.exists ? { version: versionOf(state.record), time: Date.parse(state.record.time) } : null;
}

/** Deterministic shuffle with duplicates and replays (a tiny PRNG keeps fast-check's seed meaningful). */
function deliver(records: readonly LifecycleRecord[], seed: number): LifecycleRecord[] {
  let s = seed >>> 0;
  const random = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const delivered = records.flatMap((r) => {
    const copies = random() < 0.3 ? 1 + Math.floor(random() * 3) : 0;
    // A replay is a fresh object with the same content, as a second write of the same item reads back.
    return [r, ...Array.from({ length: copies }, () => ({ ...r }))];
  });
  for (let i = delivered.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [delivered[i], delivered[j]] = [delivered[j] as LifecycleRecord, delivered[i] as LifecycleRecord];
  }
  return delivered;
}

const operation: fc.Arbitrary<Operation> = fc.record({
  name: fc.constantFrom(...NAMES),
  kind: fc.constantFrom<'put' | 'delete'>('put', 'put', 'delete'),
  // Mostly within the same second (several changes in one second, deletions among them), sometimes
  // seconds apart.
  gap: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 250 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4000 }) },
  ),
});

const scenario = fc.record({
  // Where in a second the history starts, so operations fall on every side of second boundaries.
  phase: fc.integer({ min: 0, max: 999 }),
  operations: fc.array(operation, { minLength: 1, maxLength: 40 }),
  seed: fc.integer(),
});

describe('point-in-time resolution against a model of SSM (Invariant 3, fast-check)', () => {
  it('equals the model at every moment when deletions happen when their records say (what the index can know)', () => {
    fc.assert(
      fc.property(scenario, ({ phase, operations, seed }) => {
        const { records, truth, checkTimes } = runModel(BASE_MS + phase, operations, true);
        const delivered = deliver(records, seed);
        for (const name of NAMES) {
          const changes = truth.get(name) ?? [];
          for (const t of checkTimes) {
            expect([name, iso(t), resolved(delivered, name, t)]).toEqual([name, iso(t), stateOf(changes, t)]);
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it('equals the model outside each deletion’s unknowable window, and places it at its earliest instant inside', () => {
    let windowsChecked = 0;
    fc.assert(
      fc.property(scenario, ({ phase, operations, seed }) => {
        const { records, truth, knowable, checkTimes } = runModel(BASE_MS + phase, operations, false);
        const delivered = deliver(records, seed);
        for (const name of NAMES) {
          const real = truth.get(name) ?? [];
          const known = knowable.get(name) ?? [];
          for (const t of checkTimes) {
            const index = resolved(delivered, name, t);
            const inWindow = JSON.stringify(stateOf(real, t)) !== JSON.stringify(stateOf(known, t));
            if (inWindow) {
              windowsChecked += 1;
              // Only ever "already deleted" during the window, never another version or life.
              expect(stateOf(known, t)).toBeNull();
            }
            expect([name, iso(t), index]).toEqual([name, iso(t), stateOf(known, t)]);
          }
        }
      }),
      { numRuns: 600 },
    );
    // The generator does reach the ambiguous case (otherwise this property would prove nothing more).
    expect(windowsChecked).toBeGreaterThan(0);
  });

  it('resolves whole snapshots of a path the same way (names never bleed into each other)', () => {
    fc.assert(
      fc.property(scenario, ({ phase, operations, seed }) => {
        const { records, truth, checkTimes } = runModel(BASE_MS + phase, operations, true);
        const delivered = deliver(records, seed);
        for (const t of checkTimes) {
          const snapshot = snapshotAt(delivered, parseSelector('/app/', true), iso(t));
          const got = Object.fromEntries([...snapshot].map(([n, r]) => [n, versionOf(r)]));
          const want = Object.fromEntries(
            NAMES.filter((n) => n.startsWith('/app/'))
              .map((n) => [n, stateOf(truth.get(n) ?? [], t)?.version] as const)
              .filter(([, version]) => version !== undefined),
          );
          expect([iso(t), got]).toEqual([iso(t), want]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decides a name from its latest second alone (a catalog entry) given whether it existed before', () => {
    fc.assert(
      fc.property(scenario, ({ phase, operations, seed }) => {
        const { records, truth, checkTimes } = runModel(BASE_MS + phase, operations, true);
        for (const name of NAMES) {
          const mine = records.filter((r) => r.name === name);
          if (mine.length === 0) continue;
          const last = Math.max(...mine.map((r) => secondStart(Date.parse(r.time))));
          const lastSecond = deliver(
            mine.filter((r) => secondStart(Date.parse(r.time)) === last),
            seed,
          );
          const changes = truth.get(name) ?? [];
          const enteringAlive = stateOf(changes, last - 1) !== null;
          // Before its first record takes effect, a partial history cannot say anything.
          const firstEffect = Date.parse(orderTimeline(lastSecond, enteringAlive)[0]?.effectiveTime ?? '');
          for (const t of checkTimes.filter((x) => x >= firstEffect)) {
            expect(resolved(lastSecond, name, t, enteringAlive)).toEqual(stateOf(changes, t));
            // Where the second does not need earlier history, the guess does not matter.
            if (!needsEarlierHistory(lastSecond)) {
              expect(resolved(lastSecond, name, t, !enteringAlive)).toEqual(stateOf(changes, t));
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
